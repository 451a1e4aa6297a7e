import { ApiError } from '../errors/api-error';
import { pathOfNul, RejectNulPipe } from './reject-nul.pipe';

describe('RejectNulPipe', () => {
  const pipe = new RejectNulPipe();

  function refusal(run: () => unknown): { status: number; code: string; details: unknown } {
    try {
      run();
    } catch (error) {
      const { status, code, details } = error as ApiError;
      return { status, code, details };
    }
    throw new Error('expected a refusal');
  }

  it('refuses a path parameter holding a NUL, naming the parameter', () => {
    expect(refusal(() => pipe.transform('a\u0000b', { type: 'param', data: 'id' }))).toEqual({
      status: 400,
      code: 'invalid_request',
      details: [{ path: 'id', message: 'id must not contain the NUL character (\\u0000)' }],
    });
  });

  it('names the query parameter and the body field, however deep', () => {
    expect(refusal(() => pipe.transform({ limit: '5', type: 'order\u0000' }, { type: 'query' })).details).toEqual([
      { path: 'type', message: 'type must not contain the NUL character (\\u0000)' },
    ]);
    const body = { event: { source: 'shop', payload: { lines: [{ sku: 'a' }, { sku: '\u0000' }] } } };
    expect(refusal(() => pipe.transform(body, { type: 'body' })).details).toEqual([
      { path: 'event.payload.lines.1.sku', message: 'event.payload.lines.1.sku must not contain the NUL character (\\u0000)' },
    ]);
    expect(refusal(() => pipe.transform('\u0000', { type: 'body' })).details).toEqual([
      { path: '', message: 'the body must not contain the NUL character (\\u0000)' },
    ]);
  });

  it('passes every other value through untouched, and leaves custom parameters alone', () => {
    const body = { reason: 'duplicate', count: 3, nested: [null, true, { text: 'é\u0001' }] };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    expect(pipe.transform(undefined, { type: 'body' })).toBeUndefined();
    const key = { name: '\u0000' };
    expect(pipe.transform(key, { type: 'custom' })).toBe(key);
  });
});

describe('pathOfNul', () => {
  it('finds a NUL in a key', () => {
    expect(pathOfNul({ headers: { 'x-\u0000': 'v' } })).toBe('headers.x-\u0000');
  });

  it('walks a body nested deeper than a recursion could', () => {
    const depth = 200_000;
    const nested = JSON.parse(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`) as unknown;
    expect(pathOfNul(nested)?.split('.')).toHaveLength(depth);
  });
});
