import { validateSync } from 'class-validator';
import { IsDateTime, parseDateTime } from './date-time.validator';

class Window {
  @IsDateTime()
  from!: unknown;
}

describe('parseDateTime', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01t00:00:00z', '2026-01-01T00:00:00.000Z'],
    ['2026-03-29T01:30:00.5+02:00', '2026-03-28T23:30:00.500Z'],
    ['2026-01-01T00:00:00.123456789-05:30', '2026-01-01T05:30:00.123Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-15T00:00:00Z', '0099-06-15T00:00:00.000Z'],
    ['9999-12-31T23:59:59-23:59', '+010000-01-01T23:58:59.000Z'],
  ])('reads %s as %s', (text, instant) => {
    expect(parseDateTime(text)?.toISOString()).toBe(instant);
  });

  it.each([
    ['2026-W01', 'an ISO-8601 week date'],
    ['20260101T000000Z', 'the ISO-8601 basic format'],
    ['2026-01-01', 'a date without a time'],
    ['2026-01-01T00:00:00', 'a time without a zone'],
    ['2026-01-01 00:00:00Z', 'a space for the T'],
    ['2026-13-01T00:00:00Z', 'month 13'],
    ['2026-02-29T00:00:00Z', 'February 29 of a common year'],
    ['1900-02-29T00:00:00Z', 'February 29 of a century that is not a leap year'],
    ['2026-04-31T00:00:00Z', 'April 31'],
    ['2026-01-00T00:00:00Z', 'day 0'],
    ['2026-13-45T99:99:99.000000Z', 'every field out of range'],
    ['2026-01-01T24:00:00Z', 'hour 24'],
    ['2026-12-31T23:59:60Z', 'a leap second'],
    ['2026-01-01T00:00:00+24:00', 'an offset of 24 hours'],
    ['0000-01-01T00:00:00Z', 'year 0, which PostgreSQL refuses'],
    ['2026-01-01T00:00:00.Z', 'a decimal point without digits'],
    ['2026-01-01T00:00:00Z\n', 'a trailing newline'],
  ])('refuses %s (%s)', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});

describe('IsDateTime', () => {
  it('accepts a real RFC 3339 date-time and names the property otherwise', () => {
    expect(validateSync(Object.assign(new Window(), { from: '2026-01-01T00:00:00Z' }))).toEqual([]);
    for (const from of ['2026-W01', 20260101, ['2026-01-01T00:00:00Z'], '2026-02-30T00:00:00Z']) {
      const [error] = validateSync(Object.assign(new Window(), { from }));
      expect(error?.constraints).toEqual({
        isDateTime: 'from must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z',
      });
    }
  });
});
