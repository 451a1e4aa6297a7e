import { compileEventTypeFilter } from './event-type-filter';

describe('compileEventTypeFilter', () => {
  it('allows every type when the source lists no events', () => {
    expect(compileEventTypeFilter({})).toBeUndefined();
    expect(compileEventTypeFilter({ events: [] })).toBeUndefined();
  });

  it('allows the types its globs match and no other, typeless events included', () => {
    const filter = compileEventTypeFilter({ events: ['payment_intent.*', 'charge.**'] });
    expect(filter?.allows('payment_intent.succeeded')).toBe(true);
    expect(filter?.allows('charge.dispute.created')).toBe(true);
    expect(filter?.allows('payment_intent.partially.funded')).toBe(false);
    expect(filter?.allows('customer.created')).toBe(false);
    expect(filter?.allows(null)).toBe(false);
  });

  it('ignores unknown types unless the source says reject', () => {
    expect(compileEventTypeFilter({ events: ['a'] })?.onUnknown).toBe('ignore');
    expect(compileEventTypeFilter({ events: ['a'], unknownEvents: 'ignore' })?.onUnknown).toBe('ignore');
    expect(compileEventTypeFilter({ events: ['a'], unknownEvents: 'reject' })?.onUnknown).toBe('reject');
  });
});
