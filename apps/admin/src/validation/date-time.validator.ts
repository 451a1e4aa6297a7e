import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * RFC 3339 `date-time` (section 5.6): a full date, `T`, a full time with optional fractions, and
 * an offset (`Z` or ±hh:mm). ISO-8601 alone also allows week dates (`2026-W01`) and the basic
 * format (`20260101T000000Z`), which `new Date()` does not read; neither passes here.
 */
const RFC_3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0); // day 0 of the next month; not Date.UTC, which reads years 0–99 as 1900–1999
  return lastDay.getUTCDate();
}

/**
 * The instant an RFC 3339 date-time names, or undefined when the text is not one or names a day or
 * time that does not exist (`2026-02-30`, `24:00:00`, a leap second, year 0000). JavaScript rolls
 * impossible dates over (`2026-02-30` becomes March 2) and PostgreSQL refuses year 0, so each field
 * is checked before the instant is built.
 */
export function parseDateTime(text: string): Date | undefined {
  const match = RFC_3339_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [, , , , , , , fraction, sign, offsetHours, offsetMinutes] = match;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (Number(offsetHours ?? 0) > 23 || Number(offsetMinutes ?? 0) > 59) return undefined;
  const offset = sign === undefined ? 0 : (Number(offsetHours) * 60 + Number(offsetMinutes)) * (sign === '-' ? -1 : 1);
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute - offset, second, Math.floor(Number(`0${fraction ?? ''}`) * 1000));
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** True for the text of an RFC 3339 date-time that names a real instant (see {@link parseDateTime}). */
export function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && parseDateTime(value) !== undefined;
}

/** The property is an RFC 3339 date-time naming a real instant, such as `2026-01-01T00:00:00Z`. */
export function IsDateTime(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTime',
      validator: {
        validate: (value: unknown): boolean => isDateTime(value),
        defaultMessage: (args): string =>
          `${args?.property ?? 'the value'} must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z`,
      },
    },
    validationOptions,
  );
}
