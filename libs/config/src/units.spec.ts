import { parseByteSize, parseDuration } from './units';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['2s', 2_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1.5s', 1_500],
    [' 10 S ', 10_000],
    ['750', 750],
  ])('reads %p as %p milliseconds', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it('takes a number as milliseconds', () => {
    expect(parseDuration(1_234)).toBe(1_234);
  });

  it.each(['', 'soon', '-1s', '2 weeks', '1w', 's', '1.s'])('rejects the malformed duration %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %p', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe('parseByteSize', () => {
  it.each([
    ['1048576', 1_048_576],
    ['512b', 512],
    ['512kb', 524_288],
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['2gb', 2 * 1024 ** 3],
    ['0.5kb', 512],
  ])('reads %p as %p bytes', (text, expected) => {
    expect(parseByteSize(text)).toBe(expected);
  });

  it.each(['', 'big', '-1kb', '1tb', '1 mib', 'mb'])('rejects the malformed size %p', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});
