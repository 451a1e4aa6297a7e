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

/** The transaction ids that bound the pull feed now (bigint text). Both only ever grow. */
export interface FeedHorizon {
  /**
   * Every transaction with a smaller id has ended, anywhere in the PostgreSQL cluster, so every
   * event inserted below it is committed (or never will be) and visible to any later statement.
   */
  settled: string;
  /** The next transaction id to be given: no event, and no position, can be at or above it. */
  next: string;
}

/** Committed events the pull feed does not serve yet, because an older transaction is still running. */
export interface HeldBackEvents {
  /** How many, counted up to the cap asked for. */
  events: number;
  /** True when there are more than `events`. */
  truncated: boolean;
  /** The earliest receive time among those counted; null when none is held. */
  oldestReceivedAt: Date | null;
  /** Seconds from that receive time to now, by the database's clock; 0 when none is held. */
  oldestAgeSeconds: number;
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
}

export type PositionedEventRow<P> = EventRow & { position: P };

export interface EventDetailRow extends EventRow {
  payload: unknown;
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
  position_at: string;
  position_xid: string;
}

interface RawEventDetailRow extends RawEventRow {
  payload: unknown;
  headers: Record<string, string>;
  raw_body: Buffer;
  source_provider: string | null;
  source_settings: Record<string, unknown> | null;
}

/**
 * What listings show of an event. Not the payload or the raw body: bodies may be megabytes each,
 * and a page of 500 would be gigabytes. `octet_length` of a bytea reads its stored size, not the bytes.
 */
const EVENT_COLUMNS = `e.id, e.source_id, e.type, e.status, e.idempotency_key, e.content_type, e.received_at, e.dispatched_at,
  octet_length(e.raw_body) AS body_bytes, ${exactTime('e.received_at')} AS position_at, e.insert_xid::text AS position_xid`;

/** SQLSTATE class 22, data exception: the value given cannot be taken (a jsonb PostgreSQL cannot hold, say). */
const DATA_EXCEPTION = /^22[0-9A-Z]{3}$/;

/** The admin API's reads of events: filtered keyset listings, the pull feed and what it holds back, one event with its runs. */
@Injectable()
export class EventsQueryRepository {
  private cluster: string | undefined;

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

  /** Where the pull feed stands now: see {@link FeedHorizon}. */
  async feedHorizon(): Promise<FeedHorizon> {
    const [row] = await this.dataSource.query<FeedHorizon[]>(
      'SELECT pg_snapshot_xmin(s)::text AS settled, pg_snapshot_xmax(s)::text AS next FROM pg_current_snapshot() s',
    );
    if (!row) throw new Error('pg_current_snapshot() gave no row');
    return row;
  }

  /**
   * The pull feed: oldest first by (inserting transaction, id), and only events inserted below
   * `settled` (of a {@link feedHorizon}). `received_at` is set before the commit, so an event can commit
   * after a later-received one has been read; an event whose transaction may still be open is held
   * back instead, and served once it is settled, after the position it was held at. So a consumer
   * that follows the cursor neither skips nor repeats an event.
   */
  async feed(
    filter: EventFilter,
    after: FeedPosition | undefined,
    settled: string,
    limit: number,
  ): Promise<PositionedEventRow<FeedPosition>[]> {
    const where = this.filterOf(filter);
    where.whereSql(`e.insert_xid < ${where.param(settled)}::bigint`);
    if (after) where.whereSql(`(e.insert_xid, e.id) > (${where.param(after.xid)}::bigint, ${where.param(after.id)}::uuid)`);
    const rows: RawEventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events e ${where.clause} ORDER BY e.insert_xid, e.id LIMIT ${where.param(limit)}`,
      where.params,
    );
    return rows.map((row) => ({ ...toEventRow(row), position: { xid: row.position_xid, id: row.id } }));
  }

  /**
   * The committed events matching `filter` that the feed holds back: inserted at or above `settled`
   * (of a {@link feedHorizon}; a value, not a subquery, so the planner sees how few rows are above it).
   * At most `cap` are counted, so a transaction held open for hours under heavy traffic cannot make
   * this a scan of everything received since.
   */
  async heldBack(filter: EventFilter, settled: string, cap: number): Promise<HeldBackEvents> {
    const where = this.filterOf(filter);
    where.whereSql(`e.insert_xid >= ${where.param(settled)}::bigint`);
    const [row] = await this.dataSource.query<{ events: number; oldest: Date | null; age: number | null }[]>(
      `SELECT count(*)::int AS events, min(held.received_at) AS oldest,
              extract(epoch FROM clock_timestamp() - min(held.received_at))::float8 AS age
         FROM (SELECT e.received_at FROM events e ${where.clause} LIMIT ${where.param(cap + 1)}) held`,
      where.params,
    );
    const counted = row?.events ?? 0;
    return {
      events: Math.min(counted, cap),
      truncated: counted > cap,
      oldestReceivedAt: row?.oldest ?? null,
      oldestAgeSeconds: Math.max(0, row?.age ?? 0),
    };
  }

  /**
   * The PostgreSQL cluster's system identifier (decimal text), which feed positions are valid in:
   * transaction ids mean nothing in another cluster. Read once per process.
   */
  async clusterId(): Promise<string> {
    if (this.cluster === undefined) {
      const [row] = await this.dataSource.query<{ id: string }[]>('SELECT system_identifier::text AS id FROM pg_control_system()');
      if (!row) throw new Error('pg_control_system() gave no row');
      this.cluster = row.id;
    }
    return this.cluster;
  }

  /**
   * PostgreSQL's reason when it cannot hold `json` as jsonb (a `\u0000` escape, a number beyond
   * numeric's range), or undefined when it can. Asked on its own, so that an error is surely this
   * value's and not another parameter's.
   */
  async jsonbRefusal(json: string): Promise<string | undefined> {
    try {
      await this.dataSource.query('SELECT $1::jsonb', [json]);
      return undefined;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && DATA_EXCEPTION.test(code)) return (error as Error).message;
      throw error;
    }
  }

  async findDetail(eventId: string): Promise<EventDetailRow | null> {
    const [row] = await this.dataSource.query<RawEventDetailRow[]>(
      `SELECT ${EVENT_COLUMNS}, e.payload, e.headers, e.raw_body, s.provider AS source_provider, s.settings AS source_settings
         FROM events e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = $1`,
      [eventId],
    );
    if (!row) return null;
    return {
      ...toEventRow(row),
      payload: row.payload,
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
  };
}
