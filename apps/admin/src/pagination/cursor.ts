import type { TimePosition } from '@hookflow/persistence';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const DIGITS = /^\d{1,20}$/;

/** The keyset of a listing ordered by (time, id). It names its listing, so a runs cursor given to another listing is refused. */
export interface TimeKeyset extends TimePosition {
  listing: string;
}

/** The pull feed's keyset: (inserting transaction id, event id). */
export interface FeedKeyset {
  listing: 'events-feed';
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
      typeof keyset.at === 'string' &&
      EXACT_TIME.test(keyset.at) &&
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
    typeof keyset.xid === 'string' &&
    DIGITS.test(keyset.xid) &&
    typeof keyset.id === 'string' &&
    UUID.test(keyset.id)
  );
}
