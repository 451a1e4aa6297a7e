import { EventFilter, EventRunRow, EventsQueryRepository } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ApiError } from '../errors/api-error';
import { isTimeKeysetOf, timeKeyset } from '../pagination/cursor';
import { decodeCursor, DEFAULT_PAGE_LIMIT, pageOf } from '../pagination/page';
import { EventDetailView, EventPageView, EventRunView, summaryView } from './event.views';
import { EventFeedService } from './event-feed.service';
import { maskHeaders } from './header-masking';
import { ListEventsQueryDto } from './list-events-query.dto';

const NEWEST_FIRST = 'events';
const isNewestFirstKeyset = isTimeKeysetOf(NEWEST_FIRST);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Events for operators: the filtered listing, the pull feed, and one event with what it caused. */
@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventsQueryRepository,
    private readonly feed: EventFeedService,
  ) {}

  async list(query: ListEventsQueryDto): Promise<EventPageView> {
    if (query.payload !== undefined) await this.rejectUnstorablePayload(query.payload);
    const filter: EventFilter = {
      sourceId: query.source,
      type: query.type,
      status: query.status,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      payloadContains: query.payload,
    };
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    if (query.order === 'asc') return this.feed.page(filter, query.after, limit);
    const after = query.after === undefined ? undefined : decodeCursor(query.after, isNewestFirstKeyset);
    const rows = await this.events.listNewestFirst(filter, after, limit + 1);
    return pageOf(rows, limit, (row) => timeKeyset(NEWEST_FIRST, row.position), summaryView);
  }

  /**
   * Valid JSON that PostgreSQL still cannot take as jsonb (`{"a":"\u0000"}`, `{"n":1e1000000}`)
   * would fail the query; that is the request's fault, so it answers 400 naming `payload`.
   */
  private async rejectUnstorablePayload(payload: string): Promise<void> {
    const refusal = await this.events.jsonbRefusal(payload);
    if (refusal === undefined) return;
    throw new ApiError(400, 'invalid_request', 'the request is not valid', [
      { path: 'payload', message: `payload cannot be compared with stored payloads: ${refusal}` },
    ]);
  }

  async detail(eventId: string): Promise<EventDetailView> {
    const event = isUUID(eventId) ? await this.events.findDetail(eventId) : null;
    if (!event) throw ApiError.notFound('event', eventId);
    const runs = await this.events.runsOf(eventId);
    return {
      ...summaryView(event),
      payload: event.payload,
      headers: maskHeaders(event.headers, event.source?.settings),
      body: { base64: event.rawBody.toString('base64'), text: utf8Text(event.rawBody), bytes: event.rawBody.length },
      runs: runs.map(runView),
    };
  }
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

function utf8Text(body: Buffer): string | null {
  try {
    return utf8.decode(body);
  } catch {
    return null;
  }
}
