import { parseDuration } from '@hookflow/config';
import { InvalidArgumentError } from 'commander';

/** Parsers of option values: a bad value is a usage error (exit 2) with the option's name. */

export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return value;
}

export function pollInterval(text: string): number {
  const value = parseDuration(text);
  if (value === undefined || value < 10) throw new InvalidArgumentError('must be a duration such as 500ms, 2s or 1m');
  return value;
}

/** An ISO-8601 time, or a duration ago (`10m`), as an ISO-8601 time. */
export function timeOrAgo(text: string): string {
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(Date.now() - ago).toISOString();
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new InvalidArgumentError('must be an ISO-8601 time or a duration ago such as 10m');
  return new Date(time).toISOString();
}
