import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadRulesDirectory } from './rules-directory.loader';
import { RulesProblem, RulesValidationError } from './rules-validation.error';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-rules-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeRules(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

function problemsOf(variables: Record<string, string | undefined> = {}): RulesProblem[] {
  try {
    loadRulesDirectory(dir, variables);
  } catch (error) {
    if (error instanceof RulesValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected loadRulesDirectory to throw a RulesValidationError');
}

const SHOP_SOURCE = `sources:
  - id: shop
    provider: none
`;

describe('loadRulesDirectory', () => {
  it('merges the sources and rules of every file, resolving variables in sources only', () => {
    writeRules({
      'sources.yaml': `sources:
  - id: shop
    provider: hmac
    secrets: ['\${SHOP_SECRET}', '\${OLD_SHOP_SECRET:-old-secret}']
    header: X-Shop-Signature
`,
      'rules.yml': `rules:
  - id: big-order
    source: shop
    events: ['order.*']
    when: payload.total >= 100
    retry: { attempts: 3, delay: 2s }
    steps:
      - id: notify
        type: http
        url: '\${RECEIVER_URL}/orders'
        headers: { Authorization: 'Bearer \${RECEIVER_TOKEN}' }
        body: { total: '{{ payload.total }}' }
  - id: everything
    source: '*'
    steps:
      - { id: log, type: http, url: 'http://127.0.0.1:4000/log' }
`,
    });

    const catalog = loadRulesDirectory(dir, { SHOP_SECRET: 's3cret', RECEIVER_URL: 'http://receiver', RECEIVER_TOKEN: 'token' });

    expect(catalog.sources).toEqual([{ id: 'shop', provider: 'hmac', secrets: ['s3cret', 'old-secret'], header: 'X-Shop-Signature' }]);
    expect(catalog.rules.map((rule) => rule.id)).toEqual(['big-order', 'everything']);
    expect(catalog.rules[0]?.steps[0]).toEqual({
      id: 'notify',
      type: 'http',
      url: '${RECEIVER_URL}/orders',
      headers: { Authorization: 'Bearer ${RECEIVER_TOKEN}' },
      body: { total: '{{ payload.total }}' },
    });
  });

  it('reads files in subdirectories and skips hidden and non-YAML files', () => {
    writeRules({
      'nested/shop.yaml': SHOP_SOURCE,
      '.hidden.yaml': 'not: [valid',
      '.drafts/draft.yaml': 'not: [valid',
      'README.md': '# notes',
    });

    expect(loadRulesDirectory(dir, {}).sources.map((source) => source.id)).toEqual(['shop']);
  });

  it('returns an empty catalog for an empty directory', () => {
    expect(loadRulesDirectory(dir, {})).toEqual({ sources: [], rules: [], connections: [], dbTargets: [] });
  });

  it.each([
    [
      'a key indented too deep',
      `${SHOP_SOURCE}      eventType: payload.kind\n`,
      3,
      'the line below is indented deeper than this key: keys of one mapping start at the same column',
    ],
    [
      'a key indented too little',
      `${SHOP_SOURCE}   eventType: payload.kind\n`,
      4,
      'this line is indented less than the keys above it, but more than the list it belongs to',
    ],
    ['a tab as indentation', 'sources:\n\t- id: shop\n', 2, 'tabs are not allowed as indentation: indent with spaces'],
    ['an unclosed quote', 'sources:\n  - id: "shop\n', 3, 'Missing closing "quote'],
  ])('explains %s in plain words, once per line', (_case, text, line, message) => {
    writeRules({ 'a.yaml': text });

    expect(problemsOf().map((problem) => [problem.line, problem.message])).toEqual([[line, message]]);
  });

  it('locates an unknown key at the key', () => {
    writeRules({ 'a.yaml': `${SHOP_SOURCE}    colour: blue\n` });

    expect(problemsOf()).toEqual([{ file: join(dir, 'a.yaml'), line: 4, column: 5, message: 'sources.0: unknown key "colour"' }]);
  });

  it('locates a value of the wrong type at the value', () => {
    writeRules({ 'a.yaml': `${SHOP_SOURCE}    enabled: 'yes'\n` });

    expect(problemsOf()).toEqual([{ file: join(dir, 'a.yaml'), line: 4, column: 14, message: 'sources.0.enabled: must be boolean' }]);
  });

  it('reports a missing required key at the mapping that lacks it', () => {
    writeRules({ 'a.yaml': `rules:\n  - id: orphan\n    source: '*'\n` });

    expect(problemsOf()).toEqual([{ file: join(dir, 'a.yaml'), line: 2, column: 5, message: 'rules.0: missing required key "steps"' }]);
  });

  it('requires secrets for an hmac source', () => {
    writeRules({ 'a.yaml': `sources:\n  - id: shop\n    provider: hmac\n` });

    expect(problemsOf()).toEqual([{ file: join(dir, 'a.yaml'), line: 2, column: 5, message: 'sources.0: missing required key "secrets"' }]);
  });

  it('reports a malformed duration once, in words', () => {
    writeRules({
      'a.yaml': `rules:
  - id: r1
    source: '*'
    retry: { delay: soon }
    steps: [{ id: s1, type: http, url: 'http://x' }]
`,
    });

    expect(problemsOf()).toEqual([
      { file: join(dir, 'a.yaml'), line: 4, column: 21, message: 'rules.0.retry.delay: must be a duration such as 250ms, 2s, 5m or 1h' },
    ]);
  });

  it('rejects an id defined in two files, naming the first', () => {
    writeRules({ 'a.yaml': SHOP_SOURCE, 'b.yaml': SHOP_SOURCE });

    expect(problemsOf()).toEqual([
      { file: join(dir, 'b.yaml'), line: 2, column: 9, message: `duplicate source id "shop" (first defined in ${join(dir, 'a.yaml')})` },
    ]);
  });

  it('rejects a rule that names a source no file defines', () => {
    writeRules({
      'a.yaml': `${SHOP_SOURCE}rules:
  - id: r1
    source: shopp
    steps: [{ id: s1, type: http, url: 'http://x' }]
`,
    });

    expect(problemsOf()).toEqual([
      { file: join(dir, 'a.yaml'), line: 6, column: 13, message: 'rule "r1" names source "shopp", which no file defines' },
    ]);
  });

  it('rejects a `when` that is not valid JSONata, at the expression', () => {
    writeRules({
      'a.yaml': `rules:
  - id: r1
    source: '*'
    when: payload.total >=
    steps: [{ id: s1, type: http, url: 'http://x' }]
`,
    });

    expect(problemsOf()).toEqual([
      { file: join(dir, 'a.yaml'), line: 4, column: 11, message: 'when: invalid JSONata at position 16: Unexpected end of expression' },
    ]);
  });

  it('rejects a step template whose placeholder does not parse', () => {
    writeRules({
      'a.yaml': `rules:
  - id: r1
    source: '*'
    steps:
      - id: s1
        type: http
        url: 'http://x'
        body:
          text: 'Total {{ payload.total + }}'
`,
    });

    expect(problemsOf()).toEqual([
      {
        file: join(dir, 'a.yaml'),
        line: 9,
        column: 17,
        message: 'text: template {{ payload.total + }}: invalid JSONata at position 15: Unexpected end of expression',
      },
    ]);
  });

  it('rejects variables that are not set, in sources and in rules', () => {
    writeRules({
      'a.yaml': `sources:
  - id: shop
    provider: hmac
    secrets: ['\${SHOP_SECRET}']
rules:
  - id: r1
    source: shop
    steps: [{ id: s1, type: http, url: '\${RECEIVER_URL:-http://x}', headers: { X-Token: '\${TOKEN}' } }]
`,
    });

    expect(problemsOf({ SHOP_SECRET: undefined })).toEqual([
      { file: join(dir, 'a.yaml'), line: 2, column: 5, message: 'source "shop": variable ${SHOP_SECRET} is not set' },
      { file: join(dir, 'a.yaml'), line: 6, column: 5, message: 'rule "r1": variable ${TOKEN} is not set' },
    ]);
  });

  it('checks a source again once its variables are resolved, at the line of the value', () => {
    writeRules({
      'a.yaml': `sources:
  - id: shop
    provider: basic
    username: '\${SHOP_USER:-}'
    secrets: ['\${SHOP_SECRET}']
`,
    });

    expect(problemsOf({ SHOP_SECRET: 'pw', SHOP_USER: '' })).toEqual([
      {
        file: join(dir, 'a.yaml'),
        line: 4,
        column: 15,
        message: 'username: must NOT have fewer than 1 characters once its variables are resolved',
      },
    ]);
  });

  it('locates a YAML syntax error, in one line', () => {
    writeRules({ 'a.yaml': `sources:\n  - id: shop\n    provider: [none\n` });

    expect(problemsOf()).toEqual([
      {
        file: join(dir, 'a.yaml'),
        line: 4,
        column: 1,
        message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
  });

  it('rejects a key written twice in one mapping', () => {
    writeRules({ 'a.yaml': `${SHOP_SOURCE}    provider: hmac\n` });

    expect(problemsOf()).toEqual([{ file: join(dir, 'a.yaml'), line: 4, column: 5, message: 'Map keys must be unique' }]);
  });

  it('reports every problem of every file at once, one line each', () => {
    writeRules({
      'a.yaml': `${SHOP_SOURCE}    colour: blue\n`,
      'b.yaml': `rules:\n  - id: orphan\n    source: '*'\n`,
    });

    let message = '';
    try {
      loadRulesDirectory(dir, {});
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message.split('\n')).toEqual([
      `${join(dir, 'a.yaml')}:4:5: sources.0: unknown key "colour"`,
      `${join(dir, 'b.yaml')}:2:5: rules.0: missing required key "steps"`,
    ]);
  });

  it('rejects a directory that does not exist', () => {
    const missing = join(dir, 'nowhere');
    let error: unknown;
    try {
      loadRulesDirectory(missing, {});
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(RulesValidationError);
    expect((error as RulesValidationError).problems).toEqual([
      { file: missing, message: 'rules directory does not exist or cannot be read (HOOKFLOW_RULES_DIR)' },
    ]);
  });

  it('rejects a file given as the directory', () => {
    writeRules({ 'a.yaml': SHOP_SOURCE });

    expect(() => loadRulesDirectory(join(dir, 'a.yaml'), {})).toThrow(RulesValidationError);
  });

  describe('step types', () => {
    /** A rule file whose one rule has the given steps (YAML list items, indented by 6). */
    function ruleWithSteps(steps: string): string {
      return `rules:\n  - id: r1\n    source: '*'\n    steps:\n${steps}`;
    }

    it('accepts transform and email steps', () => {
      writeRules({
        'a.yaml': ruleWithSteps(`      - id: summary
        type: transform
        expression: '{ "order": payload.id }'
      - id: mail
        type: email
        to: ops@example.com
        cc: ['Finance <finance@example.com>']
        subject: 'Order {{ steps.summary.output.order }}'
        html: '<p>{{ payload.id }}</p>'
        timeout: 20s
`),
      });

      expect(loadRulesDirectory(dir, {}).rules[0]?.steps.map((step) => step.type)).toEqual(['transform', 'email']);
    });

    it('accepts a db step on a defined connection, keeping the connection URL unresolved', () => {
      writeRules({
        'a.yaml': `connections:
  - { id: warehouse, url: '\${WAREHOUSE_DATABASE_URL}' }
${ruleWithSteps(`      - id: record
        type: db
        connection: warehouse
        table: analytics.orders
        mode: upsert
        key: [order_id]
        values: { order_id: '{{ payload.id }}', total: '{{ payload.total }}' }
`)}`,
      });

      const catalog = loadRulesDirectory(dir, { WAREHOUSE_DATABASE_URL: 'postgres://u:p@db/warehouse' });

      expect(catalog.connections).toEqual([{ id: 'warehouse', url: '${WAREHOUSE_DATABASE_URL}' }]);
      expect(catalog.rules[0]?.steps[0]).toMatchObject({ type: 'db', connection: 'warehouse', key: ['order_id'] });
      // Located for the check against the live database (libs/actions DbTargetsCheck).
      const file = join(dir, 'a.yaml');
      expect(catalog.dbTargets).toEqual([
        {
          rule: 'r1',
          step: 'record',
          connection: 'warehouse',
          table: 'analytics.orders',
          mode: 'upsert',
          at: { file, line: 10, column: 16 },
          columns: [
            { name: 'order_id', at: { file, line: 13, column: 19 } },
            { name: 'total', at: { file, line: 13, column: 49 } },
          ],
          key: ['order_id'],
          keyAt: { file, line: 12, column: 14 },
        },
      ]);
    });

    it('rejects a db step naming a missing connection, duplicate connections, unset and non-PostgreSQL URLs', () => {
      writeRules({
        'a.yaml': `connections:
  - { id: warehouse, url: '\${WAREHOUSE_DATABASE_URL}' }
  - { id: warehouse, url: 'postgres://db/other' }
  - { id: mysql, url: 'mysql://db/x' }
${ruleWithSteps(`      - { id: record, type: db, connection: lake, table: t, values: { a: 1 } }
`)}`,
      });

      expect(problemsOf()).toEqual([
        {
          file: join(dir, 'a.yaml'),
          line: 2,
          column: 27,
          message: 'connection "warehouse": variable ${WAREHOUSE_DATABASE_URL} is not set',
        },
        {
          file: join(dir, 'a.yaml'),
          line: 3,
          column: 11,
          message: 'duplicate connection id "warehouse" (first defined in ' + join(dir, 'a.yaml') + ')',
        },
        { file: join(dir, 'a.yaml'), line: 4, column: 23, message: 'connection "mysql": url must be a postgres:// or postgresql:// URL' },
        {
          file: join(dir, 'a.yaml'),
          line: 9,
          column: 45,
          message: 'step "record" of rule "r1" names connection "lake", which no file defines',
        },
      ]);
    });

    it('rejects bad SQL identifiers and an upsert without a key', () => {
      writeRules({
        'a.yaml': `connections:
  - { id: w, url: 'postgres://db/w' }
${ruleWithSteps(`      - { id: s1, type: db, connection: w, table: 'x; DROP TABLE y', values: { a: 1 } }
      - { id: s2, type: db, connection: w, table: t, mode: upsert, values: { 'a b': 1 } }
`)}`,
      });

      expect(problemsOf().map((problem) => problem.message)).toEqual([
        expect.stringMatching(/^rules\.0\.steps\.0\.table: must match pattern/),
        'rules.0.steps.1: missing required key "key"',
        expect.stringMatching(/^rules\.0\.steps\.1\.values: must match pattern/),
        'rules.0.steps.1.values: property name must be valid',
      ]);
    });

    it('reports a step of an unknown type once, at its type', () => {
      writeRules({ 'a.yaml': ruleWithSteps(`      - { id: s1, type: sms, to: '+15550100' }\n`) });

      expect(problemsOf()).toEqual([
        { file: join(dir, 'a.yaml'), line: 5, column: 25, message: 'rules.0.steps.0.type: must be one of http, transform, email, db' },
      ]);
    });

    it('reports the problems of a known step type against its own definition only', () => {
      writeRules({ 'a.yaml': ruleWithSteps(`      - { id: s1, type: transform, expression: payload, url: 'http://x' }\n`) });

      expect(problemsOf()).toEqual([{ file: join(dir, 'a.yaml'), line: 5, column: 57, message: 'rules.0.steps.0: unknown key "url"' }]);
    });

    it('requires text or html in an email step, in one message', () => {
      writeRules({ 'a.yaml': ruleWithSteps(`      - { id: s1, type: email, to: a@example.com, subject: Hi }\n`) });

      expect(problemsOf()).toEqual([
        { file: join(dir, 'a.yaml'), line: 5, column: 9, message: 'rules.0.steps.0: missing required key "text" or "html"' },
      ]);
    });

    it('rejects email recipients that are neither a string nor a list', () => {
      writeRules({ 'a.yaml': ruleWithSteps(`      - { id: s1, type: email, to: { a: b }, subject: Hi, text: Hi }\n`) });

      expect(problemsOf()).toEqual([
        { file: join(dir, 'a.yaml'), line: 5, column: 36, message: 'rules.0.steps.0.to: must be string,array' },
      ]);
    });

    it('rejects a transform expression that is not valid JSONata, at the expression', () => {
      writeRules({
        'a.yaml': ruleWithSteps(`      - id: summary
        type: transform
        expression: payload.total *
`),
      });

      expect(problemsOf()).toEqual([
        {
          file: join(dir, 'a.yaml'),
          line: 7,
          column: 21,
          message: 'expression: invalid JSONata at position 15: Unexpected end of expression',
        },
      ]);
    });
  });
});

describe('source guards in a rules directory', () => {
  const orderSchema = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };

  it('reads a schema given as a path relative to the rules directory and stores it inline', () => {
    writeRules({
      'schemas/order.json': JSON.stringify(orderSchema),
      'shop/sources.yaml': `sources:
  - id: shop
    provider: none
    events: ['order.*']
    unknownEvents: reject
    rateLimit: { perSecond: 5, burst: 10 }
    schema:
      - { events: ['order.created'], schema: schemas/order.json }
      - { events: ['order.**'], schema: { type: object } }
`,
    });
    const [source] = loadRulesDirectory(dir, {}).sources;
    expect(source).toEqual({
      id: 'shop',
      provider: 'none',
      events: ['order.*'],
      unknownEvents: 'reject',
      rateLimit: { perSecond: 5, burst: 10 },
      schema: [
        { events: ['order.created'], schema: orderSchema },
        { events: ['order.**'], schema: { type: 'object' } },
      ],
    });
  });

  it('reports a schema file that is missing, outside the directory, not JSON, or not a valid JSON Schema, at its line', () => {
    writeRules({
      'broken.json': '{ "type": ',
      'invalid.json': JSON.stringify({ type: 'objekt' }),
      'sources.yaml': `sources:
  - id: a
    provider: none
    schema: missing.json
  - id: b
    provider: none
    schema: ../outside.json
  - id: c
    provider: none
    schema: broken.json
  - id: d
    provider: none
    schema: invalid.json
  - id: e
    provider: none
    schema: { type: object, properties: { id: { minLength: -1 } } }
`,
    });
    const problems = problemsOf().map(({ line, message }) => ({ line, message }));
    expect(problems).toEqual([
      { line: 4, message: 'schema: cannot read "missing.json" (relative to the rules directory)' },
      { line: 7, message: 'schema: "../outside.json" must be a path relative to the rules directory, inside it' },
      { line: 10, message: expect.stringMatching(/^schema: "broken.json" is not valid JSON: /) as unknown },
      { line: 13, message: expect.stringMatching(/^schema: not a valid JSON Schema \(draft-07\): schema is invalid: .*type/) as unknown },
      {
        line: 16,
        message: expect.stringMatching(/^schema: not a valid JSON Schema \(draft-07\): schema is invalid: .*minLength/) as unknown,
      },
    ]);
  });

  it('refuses unknown keys and values of the guards with the words of any other setting', () => {
    writeRules({
      'sources.yaml': `sources:
  - id: shop
    provider: none
    unknownEvents: drop
    events: []
    rateLimit: { perSecond: -1, window: 1s }
`,
    });
    expect(problemsOf().map(({ message }) => message)).toEqual([
      'sources.0.unknownEvents: must be one of ignore, reject',
      'sources.0.events: must NOT have fewer than 1 items',
      'sources.0.rateLimit.perSecond: must be >= 0',
      'sources.0.rateLimit: unknown key "window"',
    ]);
  });
});
