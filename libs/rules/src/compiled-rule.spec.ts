import { compileRule } from './compiled-rule';
import { ExpressionContext, ExpressionEvaluationError, ExpressionSyntaxError } from './expression';
import { RuleDefinition, StepDefinition } from './rule-definitions';

const context: ExpressionContext = {
  event: { id: 'evt_1', type: 'order.created', source: 'shop', receivedAt: '2026-01-01T00:00:00Z', headers: {} },
  payload: { id: 'ord_1', total: 12.5, items: [{ sku: 'a' }, { sku: 'b' }] },
  steps: { summary: { status: 'succeeded', output: { order: 'ord_1', cents: 1250 } } },
  rule: { id: 'r1' },
};

function compileSteps(...steps: StepDefinition[]) {
  const definition: RuleDefinition = { id: 'r1', source: 'shop', steps };
  return compileRule('r1', 1, definition, { MAIL_TO: 'ops@example.com' }).steps;
}

describe('compileRule steps', () => {
  it('evaluates a transform expression and hands its result to the executor as value', async () => {
    const [step] = compileSteps({ id: 'summary', type: 'transform', expression: '{ "order": payload.id, "skus": payload.items.sku }' });

    await expect(step?.input.render(context)).resolves.toEqual({ value: { order: 'ord_1', skus: ['a', 'b'] } });
  });

  it('does not read a transform expression as a template', async () => {
    const [step] = compileSteps({ id: 'label', type: 'transform', expression: '"{{ not a placeholder }}"' });

    await expect(step?.input.render(context)).resolves.toEqual({ value: '{{ not a placeholder }}' });
  });

  it('rejects with an evaluation error when the expression fails at run time', async () => {
    const [step] = compileSteps({ id: 'broken', type: 'transform', expression: '$number(payload.id)' });

    await expect(step?.input.render(context)).rejects.toBeInstanceOf(ExpressionEvaluationError);
  });

  it('renders every email field as a template, with variables resolved, and parses the timeout', async () => {
    const [step] = compileSteps({
      id: 'mail',
      type: 'email',
      when: 'steps.summary.status = "succeeded"',
      to: ['${MAIL_TO}'],
      subject: 'Order {{ steps.summary.output.order }}',
      text: '{{ steps.summary.output.cents }}',
      timeout: '20s',
    });

    expect(step).toMatchObject({ id: 'mail', type: 'email', timeoutMs: 20_000 });
    await expect(step?.when?.evaluate(context)).resolves.toBe(true);
    await expect(step?.input.render(context)).resolves.toEqual({ to: ['ops@example.com'], subject: 'Order ord_1', text: 1250 });
  });
});

describe('compileRule step options', () => {
  const rule: RuleDefinition = {
    id: 'r1',
    source: 'shop',
    retry: { attempts: 5, backoff: 'fixed', delay: '1s', maxDelay: '1m' },
    steps: [
      { id: 'plain', type: 'http', url: 'https://example.com/a' },
      {
        id: 'own',
        type: 'http',
        url: 'https://example.com/b',
        retry: { attempts: 2, delay: '10ms' },
        continueOnError: true,
        body: { order: '{{ payload.id }}' },
      },
    ],
  };

  it('gives a step the rule retry policy unless it has its own, whose fields override the rule ones', () => {
    const compiled = compileRule('r1', 1, rule, {});

    expect(compiled.retry).toEqual({ attempts: 5, backoff: 'fixed', delayMs: 1_000, maxDelayMs: 60_000 });
    expect(compiled.steps[0]).toMatchObject({ retry: compiled.retry, continueOnError: false });
    expect(compiled.steps[1]).toMatchObject({
      retry: { attempts: 2, backoff: 'fixed', delayMs: 10, maxDelayMs: 60_000 },
      continueOnError: true,
    });
  });

  it('leaves retry and continueOnError out of the step input', async () => {
    const [, step] = compileRule('r1', 1, rule, {}).steps;

    await expect(step?.input.render(context)).resolves.toEqual({ url: 'https://example.com/b', body: { order: 'ord_1' } });
  });
});

describe('compileRule with variables unresolved (a dry run)', () => {
  const variables = { SECRET: 'hunter2-hunter2' };

  it('leaves every ${VAR} as written, fallbacks included, so nothing computed from a value can come out', async () => {
    const rule = compileRule(
      'r1',
      1,
      {
        id: 'r1',
        source: 'shop',
        when: '$uppercase("${SECRET}")',
        steps: [
          { id: 'shout', type: 'transform', expression: '$base64encode("${SECRET}")' },
          { id: 'post', type: 'http', url: 'https://example.com/${SECRET}/${PATH:-x}', headers: { 'X-Key': '{{ "${SECRET}" }}' } },
        ],
      },
      'unresolved',
    );

    await expect(rule.when?.evaluate(context)).resolves.toBe('${SECRET}');
    await expect(rule.steps[0]?.input.render(context)).resolves.toEqual({ value: Buffer.from('${SECRET}').toString('base64') });
    await expect(rule.steps[1]?.input.render(context)).resolves.toEqual({
      url: 'https://example.com/${SECRET}/${PATH:-x}',
      headers: { 'X-Key': '${SECRET}' },
    });
    const resolved = compileRule('r1', 1, { id: 'r1', source: 'shop', when: '$uppercase("${SECRET}")', steps: [] }, variables);
    await expect(resolved.when?.evaluate(context)).resolves.toBe('HUNTER2-HUNTER2');
  });

  it('still refuses an expression that does not compile', () => {
    expect(() => compileRule('r1', 1, { id: 'r1', source: 'shop', when: 'payload.total >=', steps: [] }, 'unresolved')).toThrow(
      ExpressionSyntaxError,
    );
  });
});
