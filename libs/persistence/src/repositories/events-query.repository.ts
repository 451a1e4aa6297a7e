import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventStatus, RunStatus } from '../entities';
import { exactTime, SqlFilter, TimePosition } from './sql-filter';

export interface EventFilter {
  sourceId?: string;
  /** Exact event type. */
  type?: string;
  status?: EventStatus;
  /** `received_at >= from`. */
  from?: Date;
  /** `received_at < to`. */
  to?: Date;
  /** JSON text; events whose payload contains it (`payload @> …`). */
  payloadContains?: string;
}

/** The feed's position: the inserting transaction's id (bigint text), then the event id. */
export interface FeedPosition {
  xid: string;
  id: string;
}

export interface EventRow {
  id: string;
  sourceId: string;
  type: string | null;
  status: EventStatus;
  idempotencyKey: string;
  contentType: string | null;
  receivedAt: Date;
  dispatchedAt: Date | null;
  bodyBytes: number;
  payload: unknown;
}

export type PositionedEventRow<P> = EventRow & { position: P };

export interface EventDetailRow extends EventRow {
  headers: Record<string, string>;
  rawBody: Buffer;
  /** The source's provider and settings (never its secrets), to know which headers carry signatures. */
  source: { provider: string; settings: Record<string, unknown> } | null;
}

export interface EventRunRow {
  id: string;
  ruleId: string;
  ruleVersion: number;
  replay: number;
  replayOf: string | null;
  status: RunStatus;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface RawEventRow {
  id: string;
  source_id: string;
  type: string | null;
  status: EventStatus;
  idempotency_key: string;
  content_type: string | null;
  received_at: Date;
  dispatched_at: Date | null;
  body_bytes: number;
  payload: unknown;
  position_at: string;
  position_xid: string;
}

interface RawEventDetailRow extends RawEventRow {
  headers: Record<string, string>;
  raw_body: Buffer;
  source_provider: string | null;
  source_settings: Record<string, unknown> | null;
}

const EVENT_COLUMNS = `e.id, e.source_id, e.type, e.status, e.idempotency_key, e.content_type, e.received_at, e.dispatched_at,
  octet_length(e.raw_body) AS body_bytes, e.payload, ${exactTime('e.received_at')} AS position_at, e.insert_xid::text AS position_xid`;

/**
 * Every transaction with an id below this one has ended, so no event inserted with a smaller
 * `insert_xid` can still appear. Computed once per statement (an InitPlan).
 */
const SETTLED_XID = '(SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint)';

/** The admin API's reads of events: filtered keyset listings, the pull feed, one event with its runs. */
@Injectable()
export class EventsQueryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first, by (received_at, id); `after` is the last row of the previous page. */
  async listNewestFirst(filter: EventFilter, after: TimePosition | undefined, limit: number): Promise<PositionedEventRow<TimePosition>[]> {
    const where = this.filterOf(filter);
    if (after) where.whereSql(`(e.received_at, e.id) < (${where.param(after.at)}::timestamptz, ${where.param(after.id)}::uuid)`);
    const rows: RawEventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events e ${where.clause} ORDER BY e.received_at DESC, e.id DESC LIMIT ${where.param(limit)}`,
      where.params,
    );
    return rows.map((row) => ({ ...toEventRow(row), position: { at: row.position_at, id: row.id } }));
  }

  /**
   * The pull feed: oldest first by (inserting transaction, id), and only events whose transaction
   * is older than every transaction still running. `received_at` is set before the commit, so an
   * event can commit after a later-received one has been read; an event whose transaction may
   * still be open is held back instead, and served once it is settled, after the position it was
   * held at. So a consumer that follows the cursor neither skips nor repeats an event.
   */
  async feed(filter: EventFilter, after: FeedPosition | undefined, limit: number): Promise<PositionedEventRow<FeedPosition>[]> {
    const where = this.filterOf(filter).whereSql(`e.insert_xid < ${SETTLED_XID}`);
    if (after) where.whereSql(`(e.insert_xid, e.id) > (${where.param(after.xid)}::bigint, ${where.param(after.id)}::uuid)`);
    const rows: RawEventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events e ${where.clause} ORDER BY e.insert_xid, e.id LIMIT ${where.param(limit)}`,
      where.params,
    );
    return rows.map((row) => ({ ...toEventRow(row), position: { xid: row.position_xid, id: row.id } }));
  }

  async findDetail(eventId: string): Promise<EventDetailRow | null> {
    const [row] = await this.dataSource.query<RawEventDetailRow[]>(
      `SELECT ${EVENT_COLUMNS}, e.headers, e.raw_body, s.provider AS source_provider, s.settings AS source_settings
         FROM events e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = $1`,
      [eventId],
    );
    if (!row) return null;
    return {
      ...toEventRow(row),
      headers: row.headers,
      rawBody: row.raw_body,
      source: row.source_provider === null ? null : { provider: row.source_provider, settings: row.source_settings ?? {} },
    };
  }

  /** The runs an event caused (dispatch's and every replay), oldest first. */
  async runsOf(eventId: string): Promise<EventRunRow[]> {
    const rows: {
      id: string;
      rule_id: string;
      rule_version: number;
      replay: number;
      replay_of: string | null;
      status: RunStatus;
      error: string | null;
      created_at: Date;
      finished_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT id, rule_id, rule_version, replay, replay_of, status, error, created_at, finished_at
         FROM runs WHERE event_id = $1 ORDER BY created_at, rule_id, replay`,
      [eventId],
    );
    return rows.map((row) => ({
      id: row.id,
      ruleId: row.rule_id,
      ruleVersion: row.rule_version,
      replay: row.replay,
      replayOf: row.replay_of,
      status: row.status,
      error: row.error,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
    }));
  }

  private filterOf(filter: EventFilter): SqlFilter {
    return new SqlFilter()
      .where(filter.sourceId, (p) => `e.source_id = ${p}`)
      .where(filter.type, (p) => `e.type = ${p}`)
      .where(filter.status, (p) => `e.status = ${p}`)
      .where(filter.from, (p) => `e.received_at >= ${p}`)
      .where(filter.to, (p) => `e.received_at < ${p}`)
      .where(filter.payloadContains, (p) => `e.payload @> ${p}::jsonb`);
  }
}

function toEventRow(row: RawEventRow): EventRow {
  return {
    id: row.id,
    sourceId: row.source_id,
    type: row.type,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    contentType: row.content_type,
    receivedAt: row.received_at,
    dispatchedAt: row.dispatched_at,
    bodyBytes: Number(row.body_bytes),
    payload: row.payload,
  };
}
