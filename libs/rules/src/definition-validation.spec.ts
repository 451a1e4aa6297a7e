import { validateRuleDefinition, validateSourceDefinition } from './definition-validation';
import { RulesProblem, RulesValidationError } from './rules-validation.error';

const REFERENCES = { sourceIds: new Set(['shop']), connectionIds: new Set(['warehouse']) };

function problemsOf(validate: () => unknown): RulesProblem[] {
  try {
    validate();
  } catch (error) {
    if (error instanceof RulesValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a RulesValidationError');
}

const ruleProblems = (value: unknown, variables: Record<string, string> = {}): { path?: string; message: string }[] =>
  problemsOf(() => validateRuleDefinition(value, variables, REFERENCES)).map(({ path, message }) => ({ path, message }));

const sourceProblems = (value: unknown, variables: Record<string, string> = {}): { path?: string; message: string }[] =>
  problemsOf(() => validateSourceDefinition(value, variables)).map(({ path, message }) => ({ path, message }));

const httpStep = { id: 'notify', type: 'http', url: 'http://receiver/orders' };

describe('validateSourceDefinition', () => {
  it('returns a valid source with its variables resolved', () => {
    expect(
      validateSourceDefinition(
        { id: 'shop', provider: 'hmac', secrets: ['${SHOP_SECRET}', 'plain'], eventType: 'payload.kind' },
        {
          SHOP_SECRET: 's3cret',
        },
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

  it('reports an expression that does not compile and a variable that is not set', () => {
    expect(sourceProblems({ id: 'shop', provider: 'hmac', secrets: ['${SHOP_SECRET}'], idempotencyKey: 'payload.(' })).toEqual([
      { path: 'idempotencyKey', message: 'idempotencyKey: invalid JSONata at position 9: Expected ")" before end of expression' },
      { path: '', message: 'source "shop": variable ${SHOP_SECRET} is not set' },
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

    const validated = validateRuleDefinition(rule, { TOKEN: 't0ken' }, REFERENCES);

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
    expect(validateRuleDefinition({ id: 'all', source: '*', steps: [httpStep] }, {}, REFERENCES).rule.source).toBe('*');
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

  it('names the rule in each problem so a formatted problem reads on its own', () => {
    const [problem] = problemsOf(() => validateRuleDefinition({ id: 'r1', source: 'shop', steps: [] }, {}, REFERENCES));
    expect(problem).toEqual({ file: 'rule "r1"', path: 'steps', message: 'steps: must NOT have fewer than 1 items' });
  });
});
