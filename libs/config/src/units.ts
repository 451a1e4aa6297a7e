const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * Parses a duration written as in rule files and the environment (`250ms`, `2s`, `5m`, `1h`, `1d`)
 * into milliseconds. A bare number is taken as milliseconds. Returns undefined when malformed.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? 'ms').toLowerCase();
  return Math.round(Number(match[1]) * (DURATION_UNITS_MS[unit] ?? 1));
}

/** Parses a byte size (`1048576`, `512kb`, `1mb`) into bytes. Returns undefined when malformed. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase();
  return Math.round(Number(match[1]) * (SIZE_UNITS_BYTES[unit] ?? 1));
}
