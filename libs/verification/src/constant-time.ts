import { timingSafeEqual } from 'node:crypto';

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
