import { compileRule } from './compiled-rule';
import { RuleDefinition } from './rule-definitions';
import { ContextEvent, eventContext } from './event-context';
import { matchRule, ruleTakesSource } from './rule-matching';

const event: ContextEvent = {
  id: '0190a5e0-0000-7000-8000-000000000001',
  sourceId: 'shop',
  type: 'order.created',
  receivedAt: new Date('2026-01-01T00:00:00.000Z'),
  headers: { 'x-test': 'yes' },
  payload: { id: 'ord_1', total: 250 },
};

function rule(overrides: Partial<RuleDefinition> = {}) {
  const definition: RuleDefinition = {
    id: 'r1',
    source: 'shop',
    steps: [{ id: 'noop', type: 'transform', expression: '1' }],
    ...overrides,
  };
  return compileRule('r1', 3, definition, {});
}

describe('matchRule', () => {
  it('matches a rule whose globs include the type and whose when is truthy', async () => {
    const matched = await matchRule(rule({ events: ['order.*'], when: 'payload.total > 100' }), event.type, eventContext(event));

    expect(matched).toStrictEqual({ outcome: 'matched', when: true });
  });

  it('skips a rule whose globs do not include the type, without evaluating when', async () => {
    const skipped = await matchRule(rule({ events: ['refund.*'], when: '$error("not evaluated")' }), event.type, eventContext(event));

    expect(skipped).toEqual({ outcome: 'skipped', reason: 'event_type' });
  });

  it('skips a rule whose when is falsy', async () => {
    expect(await matchRule(rule({ when: 'payload.total > 1000' }), event.type, eventContext(event))).toStrictEqual({
      outcome: 'skipped',
      reason: 'when',
      when: false,
    });
  });

  it('reports a when that cannot be evaluated as an error naming when', async () => {
    const failed = await matchRule(rule({ when: '$error("boom")' }), event.type, eventContext(event));

    expect(failed).toEqual({ outcome: 'error', error: expect.stringMatching(/^when: .*boom/) as unknown });
  });

  it('matches a rule without when on its type alone', async () => {
    expect(await matchRule(rule({ events: ['order.created'] }), event.type, eventContext(event))).toStrictEqual({ outcome: 'matched' });
  });

  it('lets when read the event, the payload and the rule', async () => {
    const when =
      'event.source = "shop" and event.headers."x-test" = "yes" and payload.id = "ord_1" and rule.id = "r1" and rule.version = 3';

    expect(await matchRule(rule({ when }), event.type, eventContext(event))).toStrictEqual({ outcome: 'matched', when: true });
  });
});

describe('ruleTakesSource', () => {
  it.each([
    ['shop', 'shop', true],
    ['shop', 'billing', false],
    ['*', 'shop', true],
    ['hookflow', 'hookflow', true],
    ['*', 'hookflow', false],
  ])('a rule of %p takes events of %p: %p', (ruleSource, eventSource, takes) => {
    expect(ruleTakesSource(ruleSource, eventSource)).toBe(takes);
  });
});
