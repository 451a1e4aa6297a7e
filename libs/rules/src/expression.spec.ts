import { createHmac } from 'node:crypto';
import {
  compileExpression,
  ExpressionContext,
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  isEvaluationTimeout,
  isTruthy,
} from './expression';

const context: ExpressionContext = {
  event: { id: 'evt_1', type: 'order.created', source: 'shop', receivedAt: '2026-01-01T00:00:00.000Z', headers: {} },
  payload: { id: 42, total: 120.5, items: [{ sku: 'A' }, { sku: 'B' }] },
};

const SMALL_LIMITS = { timeoutMs: 50, maxDepth: 100 };

describe('compileExpression', () => {
  it('evaluates against the event, payload and steps', async () => {
    expect(await compileExpression('payload.total >= 100').evaluate(context)).toBe(true);
    expect(await compileExpression('event.type').evaluate(context)).toBe('order.created');
    expect(await compileExpression('steps.notify.status').evaluate({ ...context, steps: { notify: { status: 'succeeded' } } })).toBe(
      'succeeded',
    );
  });

  it('gives plain arrays for JSONata sequences', async () => {
    const result = await compileExpression('payload.items.sku').evaluate(context);

    expect(result).toEqual(['A', 'B']);
    expect(Object.keys(result as object)).toEqual(['0', '1']);
  });

  it('gives undefined for a path that matches nothing', async () => {
    expect(await compileExpression('payload.missing').evaluate(context)).toBeUndefined();
  });

  it('rejects a syntax error at compile time, with its position', () => {
    let error: unknown;
    try {
      compileExpression('payload.total >=');
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ExpressionSyntaxError);
    const syntaxError = error as ExpressionSyntaxError;
    expect(syntaxError.expression).toBe('payload.total >=');
    expect(syntaxError.position).toBe(16);
    expect(syntaxError.message).toBe('invalid JSONata at position 16: Unexpected end of expression');
  });

  it('stops a runaway recursion at the depth limit', async () => {
    // A time limit no busy machine can reach first: this is about depth.
    const expression = compileExpression('($f := function($n){ $n + $f($n + 1) }; $f(0))', { ...SMALL_LIMITS, timeoutMs: 10_000 });

    await expect(expression.evaluate(context)).rejects.toBeInstanceOf(ExpressionEvaluationError);
    await expect(expression.evaluate(context)).rejects.toMatchObject({ code: 'D1011' });
  });

  it('stops an endless tail-recursive loop within the time limit', async () => {
    const expression = compileExpression('($f := function($n){ $f($n + 1) }; $f(0))', SMALL_LIMITS);
    const started = Date.now();

    const error: unknown = await expression.evaluate(context).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExpressionEvaluationError);
    expect((error as ExpressionEvaluationError).code).toMatch(/^D101[12]$/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('tells a timeout (temporary: the machine is busy) from other evaluation errors', async () => {
    // An endless loop that never deepens the stack: only the clock stops it.
    const loop = compileExpression('($f := function($n){ $n > 1e12 ? $n : $f($n + 1) }; $f(0))', { timeoutMs: 50, maxDepth: 1e9 });
    const timedOut: unknown = await loop.evaluate(context).catch((caught: unknown) => caught);
    const failed: unknown = await compileExpression('$number("abc")')
      .evaluate(context)
      .catch((caught: unknown) => caught);

    expect(isEvaluationTimeout(timedOut)).toBe(true);
    expect(isEvaluationTimeout(failed)).toBe(false);
    expect(isEvaluationTimeout(new Error('D1012'))).toBe(false);
  });

  it('wraps an evaluation error with its JSONata code and the expression', async () => {
    const error: unknown = await compileExpression('$number("abc")')
      .evaluate(context)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExpressionEvaluationError);
    expect((error as ExpressionEvaluationError).code).toBe('D3030');
    expect((error as Error).message).toContain('in "$number("abc")"');
  });

  it('shortens a long expression in the error message', async () => {
    const source = `$error("boom") & "${'x'.repeat(100)}"`;
    const error: unknown = await compileExpression(source)
      .evaluate(context)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExpressionEvaluationError);
    expect((error as Error).message).toContain(`in "${source.slice(0, 77)}..."`);
  });
});

describe('isTruthy', () => {
  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    [-1, true],
    ['x', true],
    ['', false],
    ['false', true],
    [null, false],
    [undefined, false],
    [{ a: 1 }, true],
    [{}, false],
    [[], false],
    [[0, ''], false],
    [[0, 'x'], true],
    [[[], [false, [1]]], true],
  ])('follows JSONata $boolean for %p', (value, expected) => {
    expect(isTruthy(value)).toBe(expected);
  });

  it('agrees with $boolean evaluated by JSONata itself', async () => {
    const values: unknown[] = [0, 1, '', 'a', null, {}, { a: 0 }, [], [0], [0, 1], [false], ['']];
    for (const value of values) {
      const jsonataSays = await compileExpression('$boolean(payload)').evaluate({ ...context, payload: value });
      expect([value, isTruthy(value)]).toEqual([value, jsonataSays]);
    }
  });
});

describe('extra functions', () => {
  it('$uuid() gives a new random UUID on every call', async () => {
    const expression = compileExpression('$uuid()');
    const first = await expression.evaluate(context);
    const second = await expression.evaluate(context);

    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
  });

  it('$hmac(alg, key, data) gives the hex HMAC', async () => {
    await expect(compileExpression("$hmac('sha256', 'k', 'ord_1')").evaluate(context)).resolves.toBe(
      createHmac('sha256', 'k').update('ord_1').digest('hex'),
    );
    await expect(compileExpression("$hmac('sha1', 'k', event.type)").evaluate(context)).resolves.toBe(
      createHmac('sha1', 'k').update('order.created').digest('hex'),
    );
    await expect(compileExpression("$hmac('sha512', 'k', '')").evaluate(context)).resolves.toBe(
      createHmac('sha512', 'k').update('').digest('hex'),
    );
  });

  it('$hmac rejects an unknown algorithm or a non-string argument with an evaluation error', async () => {
    const unknown = compileExpression("$hmac('md5', 'k', 'x')").evaluate(context);
    await expect(unknown).rejects.toBeInstanceOf(ExpressionEvaluationError);
    await expect(compileExpression("$hmac('md5', 'k', 'x')").evaluate(context)).rejects.toThrow('unsupported algorithm "md5"');
    await expect(compileExpression("$hmac('sha256', 'k', 42)").evaluate(context)).rejects.toBeInstanceOf(ExpressionEvaluationError);
  });

  it('has no $env', async () => {
    await expect(compileExpression('$env("HOME")').evaluate(context)).rejects.toBeInstanceOf(ExpressionEvaluationError);
  });
});
