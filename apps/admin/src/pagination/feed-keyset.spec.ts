import { isFeedKeyset } from './cursor';

const keyset = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  listing: 'events-feed',
  cluster: '7711339327299803244',
  xid: '1234',
  id: '0b6f4d0c-5a3e-4f7e-9d6a-2f1c3b4a5e6d',
  ...overrides,
});

describe('isFeedKeyset', () => {
  it('accepts a position whose transaction id fits a bigint, up to 2^63−1', () => {
    expect(isFeedKeyset(keyset())).toBe(true);
    expect(isFeedKeyset(keyset({ xid: '0' }))).toBe(true);
    expect(isFeedKeyset(keyset({ xid: '9223372036854775807' }))).toBe(true);
  });

  it.each([
    ['beyond bigint', '9223372036854775808'],
    ['twenty digits', '99999999999999999999'],
    ['negative', '-1'],
    ['in exponent notation', '1e3'],
    ['empty', ''],
    ['a number, not text', 1234],
  ])('refuses a transaction id that is %s', (_what, xid) => {
    expect(isFeedKeyset(keyset({ xid }))).toBe(false);
  });

  it('refuses a position that names no cluster, or another listing', () => {
    const { cluster: _cluster, ...unbound } = keyset();
    expect(isFeedKeyset(unbound)).toBe(false);
    expect(isFeedKeyset(keyset({ cluster: 'prod' }))).toBe(false);
    expect(isFeedKeyset(keyset({ listing: 'events' }))).toBe(false);
  });
});
