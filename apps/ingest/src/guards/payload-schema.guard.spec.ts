import { compilePayloadCheck, MAX_REPORTED_VIOLATIONS, MAX_VIOLATION_TEXT_LENGTH } from './payload-schema.guard';

const orderSchema = {
  type: 'object',
  required: ['id', 'total'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^ord_' },
    total: { type: 'integer', minimum: 0 },
    email: { type: 'string', format: 'email' },
  },
};

describe('compilePayloadCheck', () => {
  it('has nothing to check without a schema', () => {
    expect(compilePayloadCheck({})).toBeUndefined();
  });

  it('passes a payload that satisfies the schema', () => {
    const check = compilePayloadCheck({ schema: orderSchema });
    expect(check?.('order.created', { id: 'ord_1', total: 5, email: 'a@example.com' })).toEqual([]);
  });

  it('reports every violation with its JSON Pointer and ajv’s message, naming an extra key', () => {
    const check = compilePayloadCheck({ schema: orderSchema });
    expect(check?.('order.created', { id: 42, total: -1, email: 'not-an-address', extra: true })).toEqual([
      { path: '/', message: 'must NOT have additional property "extra"' },
      { path: '/id', message: 'must be string' },
      { path: '/total', message: 'must be >= 0' },
      { path: '/email', message: 'must match format "email"' },
    ]);
    expect(check?.('order.created', [])).toEqual([{ path: '/', message: 'must be object' }]);
    expect(check?.('order.created', {})).toEqual([
      { path: '/', message: "must have required property 'id'" },
      { path: '/', message: "must have required property 'total'" },
    ]);
  });

  it('applies the first entry whose globs match the type, and checks no other type', () => {
    const check = compilePayloadCheck({
      schema: [
        { events: ['order.created'], schema: orderSchema },
        { events: ['order.*'], schema: { type: 'object', required: ['id'] } },
      ],
    });
    expect(check?.('order.created', { id: 'ord_1' })).toEqual([{ path: '/', message: "must have required property 'total'" }]);
    expect(check?.('order.paid', { id: 'ord_1' })).toEqual([]);
    expect(check?.('order.paid', {})).toEqual([{ path: '/', message: "must have required property 'id'" }]);
    expect(check?.('customer.created', 'anything')).toEqual([]);
  });

  it('reports at most MAX_REPORTED_VIOLATIONS violations', () => {
    const check = compilePayloadCheck({ schema: { type: 'array', items: { type: 'string' } } });
    expect(
      check?.(
        null,
        Array.from({ length: 100 }, (_, index) => index),
      ),
    ).toHaveLength(MAX_REPORTED_VIOLATIONS);
  });

  it('cuts short a path or message that quotes a huge key of the payload', () => {
    const check = compilePayloadCheck({ schema: orderSchema });
    const key = 'k'.repeat(50_000);
    const [extra] = check?.('order.created', { id: 'ord_1', total: 1, [key]: true }) ?? [];
    expect(extra?.message).toHaveLength(MAX_VIOLATION_TEXT_LENGTH);
    expect(extra?.message).toMatch(/^must NOT have additional property "k+…$/);
    const nested = compilePayloadCheck({ schema: { type: 'object', additionalProperties: { type: 'string' } } });
    const [deep] = nested?.(null, { [key]: 1 }) ?? [];
    expect(deep?.path).toHaveLength(MAX_VIOLATION_TEXT_LENGTH);
    expect(deep?.message).toBe('must be string');
  });

  it('compiles a schema with an $id every time its source is activated again', () => {
    const settings = { schema: { $id: 'https://example.com/order.json', type: 'object' } };
    expect(compilePayloadCheck(settings)?.(null, {})).toEqual([]);
    expect(compilePayloadCheck(settings)?.(null, 1)).toEqual([{ path: '/', message: 'must be object' }]);
  });

  it('refuses a schema that was never read from its file rather than let payloads through unchecked', () => {
    expect(() => compilePayloadCheck({ schema: 'schemas/order.json' })).toThrow('was never read from its file');
  });
});
