import { compileEventTypeGlobs } from './event-type-glob';

function matches(glob: string, eventType: string): boolean {
  return compileEventTypeGlobs([glob])(eventType);
}

describe('compileEventTypeGlobs', () => {
  it('matches a literal type exactly', () => {
    expect(matches('order.created', 'order.created')).toBe(true);
    expect(matches('order.created', 'order.created.v2')).toBe(false);
    expect(matches('order.created', 'order')).toBe(false);
  });

  it('treats dots as literal separators, not wildcards', () => {
    expect(matches('order.created', 'orderXcreated')).toBe(false);
  });

  it('lets `*` match exactly one non-empty segment', () => {
    expect(matches('order.*', 'order.created')).toBe(true);
    expect(matches('order.*', 'order')).toBe(false);
    expect(matches('order.*', 'order.')).toBe(false);
    expect(matches('order.*', 'order.item.added')).toBe(false);
    expect(matches('*.created', 'invoice.created')).toBe(true);
    expect(matches('*.created', '.created')).toBe(false);
  });

  it('lets a trailing `**` match any number of segments, zero included', () => {
    expect(matches('a.**', 'a')).toBe(true);
    expect(matches('a.**', 'a.b')).toBe(true);
    expect(matches('a.**', 'a.b.c')).toBe(true);
    expect(matches('a.**', 'ab')).toBe(false);
    expect(matches('a.**', 'b.a')).toBe(false);
  });

  it('lets a leading `**` match any number of segments, zero included', () => {
    expect(matches('**.b', 'b')).toBe(true);
    expect(matches('**.b', 'a.b')).toBe(true);
    expect(matches('**.b', 'x.y.b')).toBe(true);
    expect(matches('**.b', 'ab')).toBe(false);
    expect(matches('**.b', 'b.c')).toBe(false);
  });

  it('never lets `**` match an empty segment', () => {
    expect(matches('**.b', '.b')).toBe(false);
    expect(matches('**.*', '.x')).toBe(false);
    expect(matches('a.**', 'a.')).toBe(false);
    expect(matches('a.**.b', 'a..b')).toBe(false);
  });

  it('lets an inner `**` match any number of segments, zero included', () => {
    expect(matches('a.**.b', 'a.b')).toBe(true);
    expect(matches('a.**.b', 'a.x.b')).toBe(true);
    expect(matches('a.**.b', 'a.x.y.b')).toBe(true);
    expect(matches('a.**.b', 'a.x.y')).toBe(false);
    expect(matches('a.**.b', 'ab')).toBe(false);
  });

  it('reads `**.**` as `**`', () => {
    expect(matches('**.**.b', 'b')).toBe(true);
    expect(matches('**.**.b', 'x.b')).toBe(true);
    expect(matches('a.**.**', 'a')).toBe(true);
  });

  it('matches every type with a lone `**`', () => {
    expect(matches('**', 'a')).toBe(true);
    expect(matches('**', 'a.b.c')).toBe(true);
  });

  it('lets `*` inside a segment match part of that segment only', () => {
    expect(matches('pay*', 'payment')).toBe(true);
    expect(matches('pay*', 'payout')).toBe(true);
    expect(matches('pay*', 'pay')).toBe(true);
    expect(matches('pay*', 'payment.succeeded')).toBe(false);
    expect(matches('pay*', 'repay')).toBe(false);
    expect(matches('*ment.succeeded', 'payment.succeeded')).toBe(true);
  });

  it('escapes regular expression characters in globs', () => {
    expect(matches('a+b.(c)', 'a+b.(c)')).toBe(true);
    expect(matches('a+b.(c)', 'aab.c')).toBe(false);
  });

  it('matches when any of several globs matches', () => {
    const match = compileEventTypeGlobs(['order.*', 'invoice.paid']);

    expect(match('order.created')).toBe(true);
    expect(match('invoice.paid')).toBe(true);
    expect(match('invoice.voided')).toBe(false);
  });

  it('matches every type, even none, when no globs are given', () => {
    for (const match of [compileEventTypeGlobs(undefined), compileEventTypeGlobs([])]) {
      expect(match('anything.at.all')).toBe(true);
      expect(match(null)).toBe(true);
      expect(match(undefined)).toBe(true);
    }
  });

  it('never matches an event without a type when globs are given', () => {
    const match = compileEventTypeGlobs(['**']);

    expect(match(null)).toBe(false);
    expect(match(undefined)).toBe(false);
  });
});
