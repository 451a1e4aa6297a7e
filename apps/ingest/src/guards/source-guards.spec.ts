import { NewEvent } from '@hookflow/persistence';
import { IngestRejection } from '../hooks/ingest-rejection';
import { compileSourceGuards, guardEvents, MAX_DETAILED_PAYLOAD_BYTES } from './source-guards';

let sequence = 0;
function event(type: string | null, payload: unknown): NewEvent {
  sequence += 1;
  return {
    id: `event-${sequence}`,
    sourceId: 'shop',
    idempotencyKey: `key-${sequence}`,
    type,
    headers: {},
    contentType: 'application/json',
    rawBody: Buffer.from(JSON.stringify(payload)),
    payload,
    receivedAt: new Date(),
  };
}

function rejectionOf(guard: () => unknown): IngestRejection {
  try {
    guard();
  } catch (error) {
    if (error instanceof IngestRejection) return error;
    throw error;
  }
  throw new Error('expected an IngestRejection');
}

const schema = { type: 'object', required: ['id'] };

describe('guardEvents', () => {
  it('lets every event through as received when the source has no guards', () => {
    const events = [event('order.created', {})];
    expect(guardEvents(compileSourceGuards({}), events)).toBe(events);
  });

  it('marks events of a type the source does not allow as ignored, one element of a batch at a time', () => {
    const guards = compileSourceGuards({ events: ['order.*'] });
    const statuses = guardEvents(guards, [event('order.created', {}), event('customer.created', {}), event(null, {})]).map((e) => e.status);
    expect(statuses).toEqual(['received', 'ignored', 'ignored']);
  });

  it('refuses the whole delivery with 422 event_type_not_allowed under unknownEvents: reject', () => {
    const guards = compileSourceGuards({ events: ['order.*'], unknownEvents: 'reject' });
    const single = rejectionOf(() => guardEvents(guards, [event('customer.created', {})]));
    expect(single).toMatchObject({ status: 422, code: 'event_type_not_allowed', details: [{ type: 'customer.created' }] });
    expect(single.message).toBe('event type "customer.created" is not one this source accepts (events: order.*)');
    const batch = rejectionOf(() => guardEvents(guards, [event('order.created', {}), event('a', {}), event('b', {})]));
    expect(batch.details).toEqual([
      { index: 1, type: 'a' },
      { index: 2, type: 'b' },
    ]);
    expect(batch.message).toContain('(and 1 more)');
  });

  it('refuses with 422 schema_violation, the violations in the answer and the rejection log', () => {
    const guards = compileSourceGuards({ schema });
    const rejection = rejectionOf(() => guardEvents(guards, [event('order.created', { total: 1 })]));
    expect(rejection).toMatchObject({
      status: 422,
      code: 'schema_violation',
      message: "the payload does not match the source's schema: / must have required property 'id'",
      details: [{ path: '/', message: "must have required property 'id'" }],
      diagnostics: { violations: [{ path: '/', message: "must have required property 'id'" }], eventTypes: ['order.created'] },
    });
  });

  it('refuses a whole batch when one element fails the schema, naming the element', () => {
    const guards = compileSourceGuards({ schema });
    const rejection = rejectionOf(() => guardEvents(guards, [event('a', { id: 1 }), event('a', {})]));
    expect(rejection.details).toEqual([{ index: 1, path: '/', message: "must have required property 'id'" }]);
  });

  it('reports at most 20 reasons for a whole batch, however many of its elements fail', () => {
    const failing = Array.from({ length: 300 }, () => event('a', {}));
    const violation = rejectionOf(() => guardEvents(compileSourceGuards({ schema }), failing));
    expect(violation.details).toHaveLength(20);
    expect((violation.diagnostics?.violations as unknown[]).length).toBe(20);
    expect(violation.message).toContain('(and 299 more)');
    const mistyped = rejectionOf(() => guardEvents(compileSourceGuards({ events: ['order.*'], unknownEvents: 'reject' }), failing));
    expect(mistyped.details).toHaveLength(20);
    expect((mistyped.diagnostics?.refused as unknown[]).length).toBe(20);
    expect(mistyped.message).toContain('(and 299 more)');
  });

  it('reports only the first violation of a payload too large to list them all cheaply', () => {
    const guards = compileSourceGuards({ schema: { type: 'array', items: { type: 'string' } } });
    const items = Array.from({ length: 100_000 }, () => 0);
    const large = event('a', items);
    expect(large.rawBody.length).toBeGreaterThan(MAX_DETAILED_PAYLOAD_BYTES);
    const rejection = rejectionOf(() => guardEvents(guards, [large]));
    expect(rejection.details).toEqual([{ path: '/0', message: 'must be string' }]);
    const small = rejectionOf(() => guardEvents(guards, [event('a', items.slice(0, 30))]));
    expect(small.details).toHaveLength(20);
  });

  it('does not check the payload of an ignored event', () => {
    const guards = compileSourceGuards({ events: ['order.*'], schema });
    expect(guardEvents(guards, [event('customer.created', {})]).map((e) => e.status)).toEqual(['ignored']);
  });

  it('takes the source’s own rate limit, its burst twice the rate unless given', () => {
    expect(compileSourceGuards({}).rateLimit).toBeUndefined();
    expect(compileSourceGuards({ rateLimit: { perSecond: 5 } }).rateLimit).toEqual({ perSecond: 5, burst: 10 });
    expect(compileSourceGuards({ rateLimit: { perSecond: 0.2 } }).rateLimit).toEqual({ perSecond: 0.2, burst: 1 });
    expect(compileSourceGuards({ rateLimit: { perSecond: 5, burst: 7 } }).rateLimit).toEqual({ perSecond: 5, burst: 7 });
  });
});
