import { EventFilter, EventRow, EventRunRow, EventsQueryRepository } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ApiError } from '../errors/api-error';
import { isFeedKeyset, isTimeKeysetOf, timeKeyset } from '../pagination/cursor';
import { decodeCursor, DEFAULT_PAGE_LIMIT, encodeCursor, Page, pageOf } from '../pagination/page';
import { EventDetailView, EventRunView, EventSummaryView } from './event.views';
import { maskHeaders } from './header-masking';
import { ListEventsQueryDto } from './list-events-query.dto';

const NEWEST_FIRST = 'events';
const isNewestFirstKeyset = isTimeKeysetOf(NEWEST_FIRST);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Events for operators: the filtered listing, the pull feed, and one event with what it caused. */
@Injectable()
export class EventsService {
  constructor(private readonly events: EventsQueryRepository) {}

  async list(query: ListEventsQueryDto): Promise<Page<EventSummaryView>> {
    const filter: EventFilter = {
      sourceId: query.source,
      type: query.type,
      status: query.status,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      payloadContains: query.payload,
    };
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    if (query.order === 'asc') return this.feed(filter, query.after, limit);
    const after = query.after === undefined ? undefined : decodeCursor(query.after, isNewestFirstKeyset);
    const rows = await rejectingUnstorableFilter(this.events.listNewestFirst(filter, after, limit + 1));
    return pageOf(rows, limit, (row) => timeKeyset(NEWEST_FIRST, row.position), summaryView);
  }

  /**
   * Oldest first, settled events only. A feed has no last page: the cursor is the position after
   * the last event served (or the one given, when nothing new has settled), to poll with again.
   */
  private async feed(filter: EventFilter, cursor: string | undefined, limit: number): Promise<Page<EventSummaryView>> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, isFeedKeyset);
    const rows = await rejectingUnstorableFilter(this.events.feed(filter, after, limit));
    const last = rows[rows.length - 1];
    return {
      items: rows.map(summaryView),
      nextCursor: last ? encodeCursor({ listing: 'events-feed', ...last.position }) : (cursor ?? null),
    };
  }

  async detail(eventId: string): Promise<EventDetailView> {
    const event = isUUID(eventId) ? await this.events.findDetail(eventId) : null;
    if (!event) throw ApiError.notFound('event', eventId);
    const runs = await this.events.runsOf(eventId);
    return {
      ...summaryView(event),
      headers: maskHeaders(event.headers, event.source?.settings),
      body: { base64: event.rawBody.toString('base64'), text: utf8Text(event.rawBody), bytes: event.rawBody.length },
      runs: runs.map(runView),
    };
  }
}

function summaryView(event: EventRow): EventSummaryView {
  return {
    id: event.id,
    sourceId: event.sourceId,
    type: event.type,
    status: event.status,
    idempotencyKey: event.idempotencyKey,
    contentType: event.contentType,
    receivedAt: event.receivedAt.toISOString(),
    dispatchedAt: event.dispatchedAt?.toISOString() ?? null,
    bodyBytes: event.bodyBytes,
    payload: event.payload,
  };
}

function runView(run: EventRunRow): EventRunView {
  return {
    id: run.id,
    ruleId: run.ruleId,
    ruleVersion: run.ruleVersion,
    replay: run.replay,
    replayOf: run.replayOf,
    status: run.status,
    error: run.error,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

/** PostgreSQL's answers to JSON it cannot hold as jsonb: a \u0000 escape (22P05), a number out of range (22003). */
const UNSTORABLE_JSON = new Set(['22P05', '22003']);

/**
 * Valid JSON that PostgreSQL still cannot take as jsonb (`{"a":"\u0000"}`) would fail the query;
 * that is the request's fault, so it answers 400 naming `payload`.
 */
async function rejectingUnstorableFilter<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !UNSTORABLE_JSON.has(code)) throw error;
    throw new ApiError(400, 'invalid_request', 'the request is not valid', [
      { path: 'payload', message: `payload cannot be compared with stored payloads: ${(error as Error).message}` },
    ]);
  }
}

function utf8Text(body: Buffer): string | null {
  try {
    return utf8.decode(body);
  } catch {
    return null;
  }
}
