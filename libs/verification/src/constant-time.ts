import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two byte strings without leaking, through timing, where they first differ. */
export function constantTimeEqual(expected: Buffer, received: Buffer): boolean {
  // timingSafeEqual needs equal lengths; a length difference reveals only the length, which is public.
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** True when any of the candidate signatures matches; every candidate is compared. */
export function matchesAny(candidates: readonly Buffer[], received: Buffer): boolean {
  let matched = false;
  for (const candidate of candidates) matched = constantTimeEqual(candidate, received) || matched;
  return matched;
}

/**
 * SHA-256 of a credential. Comparing digests of passwords and tokens, rather than the values,
 * keeps their length out of the timing too.
 */
export function sha256Digest(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}
