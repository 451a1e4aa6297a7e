import { parseDuration } from '@hookflow/config';
import { VerdictEvidence, VerifiableSource } from './verifier';

/** A source setting as a string, or the fallback when absent or not a string. */
export function stringSetting(source: Pick<VerifiableSource, 'settings'>, name: string, fallback: string): string;
export function stringSetting(source: Pick<VerifiableSource, 'settings'>, name: string): string | undefined;
export function stringSetting(source: Pick<VerifiableSource, 'settings'>, name: string, fallback?: string): string | undefined {
  const value = source.settings[name];
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** The source's timestamp tolerance (`tolerance: 300s`) in milliseconds, or the provider default. */
export function toleranceMs(source: VerifiableSource, defaultMs: number): number {
  const value = source.settings.tolerance;
  const parsed = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  return parsed ?? defaultMs;
}

/**
 * Checks a Unix timestamp (seconds) against the clock, both ways: too old is a replay, too far in
 * the future is a forged or badly skewed clock. Returns a problem description, or undefined.
 */
export function timestampProblem(timestampSeconds: number, receivedAt: Date, toleranceMsValue: number): string | undefined {
  const skewMs = receivedAt.getTime() - timestampSeconds * 1000;
  if (Math.abs(skewMs) <= toleranceMsValue) return undefined;
  return `timestamp is ${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs > 0 ? 'old' : 'in the future'}; tolerance is ${Math.round(toleranceMsValue / 1000)} s`;
}

/**
 * The skew of a signed timestamp (seconds) against the clock and the tolerance it is checked
 * against, in whole seconds, as a rejection's evidence.
 */
export function timestampEvidence(
  timestampSeconds: number,
  receivedAt: Date,
  toleranceMsValue: number,
): Required<Pick<VerdictEvidence, 'timestampSkewSeconds' | 'toleranceSeconds'>> {
  return {
    timestampSkewSeconds: Math.round((receivedAt.getTime() - timestampSeconds * 1000) / 1000),
    toleranceSeconds: Math.round(toleranceMsValue / 1000),
  };
}

/**
 * A request header by (lower-cased) name, only if it was sent: a configured name such as
 * `constructor` must not reach an object's inherited properties.
 */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const value: unknown = Object.hasOwn(headers, name) ? headers[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}
