import { EventFilter, EventsQueryRepository, FeedHorizon, FeedPosition, HeldBackEvents } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { FeedKeyset, isFeedKeyset } from '../pagination/cursor';
import { decodeCursor, encodeCursor } from '../pagination/page';
import { EventFeedHeadView, EventPageView, HeldBackView, summaryView } from './event.views';

/** Held-back events counted per poll at most: enough to say "many", cheap under a long hold. */
const HELD_BACK_CAP = 1_000;
/** The largest uuid: the position after every event of a transaction id. */
const LAST_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * The pull feed (`GET /events?order=asc`): oldest first by inserting transaction, settled events
 * only (docs/decisions.md). A feed has no last page: the cursor is the position to poll from again.
 */
@Injectable()
export class EventFeedService {
  constructor(private readonly events: EventsQueryRepository) {}

  async page(filter: EventFilter, cursor: string | undefined, limit: number): Promise<EventPageView & { nextCursor: string }> {
    const horizon = await this.events.feedHorizon();
    const after = cursor === undefined ? undefined : await this.positionOf(cursor, horizon);
    const { settled } = horizon;
    const rows = await this.events.feed(filter, after, settled, limit);
    const items = rows.map(summaryView);
    const last = rows[rows.length - 1];
    if (last && rows.length === limit) return { items, nextCursor: await this.cursorAt(last.position) };
    // A short page served every matching event below the horizon: the next poll starts there, so
    // a filter that matches nothing new does not walk the same rows again on every poll.
    const next = later(horizonPosition(settled), after);
    const heldBack = heldBackView(await this.events.heldBack(filter, settled, HELD_BACK_CAP));
    return { items, nextCursor: await this.cursorAt(next), ...(heldBack ? { heldBack } : {}) };
  }

  /** A cursor after every event settled now, for a consumer that wants only what comes next. */
  async head(): Promise<EventFeedHeadView> {
    return { cursor: await this.cursorAt(horizonPosition((await this.events.feedHorizon()).settled)) };
  }

  private async cursorAt(position: FeedPosition): Promise<string> {
    const keyset: FeedKeyset = { listing: 'events-feed', cluster: await this.events.clusterId(), xid: position.xid, id: position.id };
    return encodeCursor(keyset);
  }

  /**
   * The position of a cursor this database issued. Transaction ids restart in another cluster (a
   * logical restore, a switch to a logical replica), and a backup restored to an earlier point
   * gives again ids its lost events had: a position from either would skip events here.
   */
  private async positionOf(cursor: string, horizon: FeedHorizon): Promise<FeedPosition> {
    const keyset = decodeCursor(cursor, isFeedKeyset);
    if (keyset.cluster !== (await this.events.clusterId())) {
      throw feedReset('this feed cursor was issued by another PostgreSQL cluster (the database was restored or moved)');
    }
    if (BigInt(keyset.xid) >= BigInt(horizon.next)) {
      throw feedReset('this feed cursor is ahead of the database (it was restored to an earlier point)');
    }
    return { xid: keyset.xid, id: keyset.id };
  }
}

function feedReset(why: string): ApiError {
  return ApiError.conflict(
    'feed_reset',
    `${why}, so its position means nothing here: start again without \`after\` (every event, oldest first; skip the ids ` +
      'you already have) or from GET /events/feed/head (only new events); see docs/operations.md',
  );
}

/** Just below the horizon `settled`: every event inserted under it comes before, every later one after. */
function horizonPosition(settled: string): FeedPosition {
  return { xid: (BigInt(settled) - 1n).toString(), id: LAST_ID };
}

/** The later of two positions; a cursor never moves back. */
function later(position: FeedPosition, other: FeedPosition | undefined): FeedPosition {
  if (!other) return position;
  const [a, b] = [BigInt(position.xid), BigInt(other.xid)];
  return a > b || (a === b && position.id > other.id.toLowerCase()) ? position : other;
}

function heldBackView(held: HeldBackEvents): HeldBackView | undefined {
  if (held.events === 0 || held.oldestReceivedAt === null) return undefined;
  return { events: held.events, truncated: held.truncated, oldestReceivedAt: held.oldestReceivedAt.toISOString() };
}
