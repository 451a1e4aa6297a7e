import type { TimePosition } from '@hookflow/persistence';
import { parseDateTime } from '../validation/date-time.validator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** A position's time as the repositories write it (microseconds, UTC), naming a real instant: PostgreSQL refuses `2026-13-45`. */
const isExactTime = (at: unknown): at is string => typeof at === 'string' && EXACT_TIME.test(at) && parseDateTime(at) !== undefined;
/** A transaction id as the feed stores it: a bigint that is never negative. */
const XID = /^\d{1,19}$/;
const MAX_BIGINT = 2n ** 63n - 1n;
/** `system_identifier` of pg_control_system(), a bigint as text. Compared as text, never sent to SQL. */
const SYSTEM_IDENTIFIER = /^-?\d{1,19}$/;

/** The keyset of a listing ordered by (time, id). It names its listing, so a runs cursor given to another listing is refused. */
export interface TimeKeyset extends TimePosition {
  listing: string;
}

/**
 * The pull feed's keyset: (inserting transaction id, event id), valid only in the PostgreSQL
 * cluster whose system identifier is `cluster` (transaction ids restart in another one).
 */
export interface FeedKeyset {
  listing: 'events-feed';
  cluster: string;
  xid: string;
  id: string;
}

export const timeKeyset = (listing: string, position: TimePosition): TimeKeyset => ({ listing, at: position.at, id: position.id });

/** A guard for {@link decodeCursor} accepting the (time, id) keysets of `listing` only. */
export function isTimeKeysetOf(listing: string): (value: unknown) => value is TimeKeyset {
  return (value: unknown): value is TimeKeyset => {
    const keyset = value as Partial<Record<keyof TimeKeyset, unknown>> | null;
    return (
      typeof keyset === 'object' &&
      keyset !== null &&
      keyset.listing === listing &&
      isExactTime(keyset.at) &&
      typeof keyset.id === 'string' &&
      UUID.test(keyset.id)
    );
  };
}

export function isFeedKeyset(value: unknown): value is FeedKeyset {
  const keyset = value as Partial<Record<keyof FeedKeyset, unknown>> | null;
  return (
    typeof keyset === 'object' &&
    keyset !== null &&
    keyset.listing === 'events-feed' &&
    typeof keyset.cluster === 'string' &&
    SYSTEM_IDENTIFIER.test(keyset.cluster) &&
    isXid(keyset.xid) &&
    typeof keyset.id === 'string' &&
    UUID.test(keyset.id)
  );
}

/** Digits only and at most 2^63−1, so the value always fits the bigint it is compared with. */
function isXid(value: unknown): value is string {
  return typeof value === 'string' && XID.test(value) && BigInt(value) <= MAX_BIGINT;
}
