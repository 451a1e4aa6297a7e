import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeadLetterCause, DeadLetterStatus } from '../entities';
import { exactTime, SqlFilter, TimePosition } from './sql-filter';

export interface DeadLetterFilter {
  status?: DeadLetterStatus;
  ruleId?: string;
  /** The source of the dead letter's event. */
  sourceId?: string;
  cause?: DeadLetterCause;
  /** `created_at >= from`. */
  from?: Date;
  /** `created_at < to`. */
  to?: Date;
  /** Text the error contains, case-insensitively. */
  errorContains?: string;
  /** The host (and port, when not the scheme's) of the failed step's last request. */
  destination?: string;
}

/** How many dead letters a filter selects, by cause and by destination host. */
export interface DeadLetterGroups {
  total: number;
  byCause: { cause: DeadLetterCause; count: number }[];
  /** `destination` null: the failed step made no HTTP request (an email or db step, or a failure before the request). */
  byDestination: { destination: string | null; count: number }[];
}

export interface DeadLetterRow {
  id: string;
  runId: string;
  eventId: string;
  sourceId: string;
  ruleId: string;
  stepId: string | null;
  cause: DeadLetterCause;
  error: string;
  status: DeadLetterStatus;
  createdAt: Date;
  resolvedAt: Date | null;
  replayRunId: string | null;
  discardReason: string | null;
  /** Host[:port] of the failed step's last request, when it made one. */
  destination: string | null;
}

export interface DeadLetterDetailRow extends DeadLetterRow {
  /** The run's step attempts when it died, oldest first. */
  attempts: unknown[];
}

interface RawDeadLetterRow {
  id: string;
  run_id: string;
  event_id: string;
  source_id: string;
  rule_id: string;
  step_id: string | null;
  cause: DeadLetterCause;
  error: string;
  status: DeadLetterStatus;
  created_at: Date;
  resolved_at: Date | null;
  replay_run_id: string | null;
  discard_reason: string | null;
  destination: string | null;
  position_at: string;
}

/**
 * The host of the URL the failed step last called: its step attempts keep a request summary (the
 * URL with any credentials redacted). Read through uq_step_attempts_run_step_attempt.
 */
const DESTINATION = `(SELECT substring(a.request->>'url' from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#]+)')
  FROM step_attempts a WHERE a.run_id = d.run_id AND a.step_id = d.step_id ORDER BY a.attempt DESC LIMIT 1)`;

/** At most this many destinations are counted by name; the rest are few enough to find by filtering. */
const MAX_DESTINATION_GROUPS = 50;

const DEAD_LETTER_COLUMNS = `d.id, d.run_id, d.event_id, e.source_id, d.rule_id, d.step_id, d.cause, d.error, d.status, d.created_at,
  d.resolved_at, d.replay_run_id, d.discard_reason, ${DESTINATION} AS destination, ${exactTime('d.created_at')} AS position_at`;
const DEAD_LETTERS_WITH_SOURCE = 'dead_letters d JOIN events e ON e.id = d.event_id';

/** The admin API's reads of dead letters; their changes are in ReplaysRepository. */
@Injectable()
export class DeadLettersQueryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first, by (created_at, id); `after` is the last row of the previous page. */
  async list(
    filter: DeadLetterFilter,
    after: TimePosition | undefined,
    limit: number,
  ): Promise<(DeadLetterRow & { position: TimePosition })[]> {
    const where = filterOf(filter);
    if (after) where.whereSql(`(d.created_at, d.id) < (${where.param(after.at)}::timestamptz, ${where.param(after.id)}::uuid)`);
    const rows: RawDeadLetterRow[] = await this.dataSource.query(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM ${DEAD_LETTERS_WITH_SOURCE} ${where.clause} ORDER BY d.created_at DESC, d.id DESC LIMIT ${where.param(limit)}`,
      where.params,
    );
    return rows.map((row) => ({ ...toDeadLetterRow(row), position: { at: row.position_at, id: row.id } }));
  }

  async findById(id: string): Promise<DeadLetterDetailRow | null> {
    const [row] = await this.dataSource.query<(RawDeadLetterRow & { attempts: unknown[] })[]>(
      `SELECT ${DEAD_LETTER_COLUMNS}, d.attempts FROM ${DEAD_LETTERS_WITH_SOURCE} WHERE d.id = $1`,
      [id],
    );
    return row ? { ...toDeadLetterRow(row), attempts: row.attempts } : null;
  }

  /** How many dead letters match, by cause and by destination (the busiest first). */
  async groups(filter: DeadLetterFilter): Promise<DeadLetterGroups> {
    const where = filterOf(filter);
    const selected = `SELECT d.cause, ${DESTINATION} AS destination FROM ${DEAD_LETTERS_WITH_SOURCE} ${where.clause}`;
    const rows: { by: 'cause' | 'destination'; key: string | null; count: number }[] = await this.dataSource.query(
      `WITH selected AS MATERIALIZED (${selected})
       (SELECT 'cause' AS by, cause AS key, count(*)::int AS count FROM selected GROUP BY cause ORDER BY count DESC, cause)
       UNION ALL
       (SELECT 'destination', destination, count(*)::int FROM selected GROUP BY destination ORDER BY count(*) DESC, destination
        LIMIT ${MAX_DESTINATION_GROUPS})`,
      where.params,
    );
    const byCause = rows.filter((row) => row.by === 'cause').map((row) => ({ cause: row.key as DeadLetterCause, count: row.count }));
    return {
      total: byCause.reduce((sum, group) => sum + group.count, 0),
      byCause,
      byDestination: rows.filter((row) => row.by === 'destination').map((row) => ({ destination: row.key, count: row.count })),
    };
  }

  /**
   * How many pending dead letters match, and the database's clock now: a bulk replay takes only
   * dead letters created up to then, so the dead letters of its own failing replays are not
   * replayed again within it.
   */
  async countPending(filter: Omit<DeadLetterFilter, 'status'>): Promise<{ count: number; asOf: string }> {
    const where = filterOf({ ...filter, status: 'pending' });
    const [row] = await this.dataSource.query<{ count: number; as_of: string }[]>(
      `SELECT count(*)::int AS count, ${exactTime('now()')} AS as_of FROM ${DEAD_LETTERS_WITH_SOURCE} ${where.clause}`,
      where.params,
    );
    return { count: row?.count ?? 0, asOf: row?.as_of ?? new Date().toISOString() };
  }

  /** The next pending dead letters to replay, oldest first, created no later than `asOf`. */
  async pendingBatch(
    filter: Omit<DeadLetterFilter, 'status'>,
    asOf: string,
    after: TimePosition | undefined,
    limit: number,
  ): Promise<TimePosition[]> {
    const where = filterOf({ ...filter, status: 'pending' }).where(asOf, (p) => `d.created_at <= ${p}::timestamptz`);
    if (after) where.whereSql(`(d.created_at, d.id) > (${where.param(after.at)}::timestamptz, ${where.param(after.id)}::uuid)`);
    const rows: { id: string; position_at: string }[] = await this.dataSource.query(
      `SELECT d.id, ${exactTime('d.created_at')} AS position_at FROM ${DEAD_LETTERS_WITH_SOURCE}
        ${where.clause} ORDER BY d.created_at, d.id LIMIT ${where.param(limit)}`,
      where.params,
    );
    return rows.map((row) => ({ at: row.position_at, id: row.id }));
  }
}

function filterOf(filter: DeadLetterFilter): SqlFilter {
  return new SqlFilter()
    .where(filter.status, (p) => `d.status = ${p}`)
    .where(filter.ruleId, (p) => `d.rule_id = ${p}`)
    .where(filter.sourceId, (p) => `e.source_id = ${p}`)
    .where(filter.cause, (p) => `d.cause = ${p}`)
    .where(filter.from, (p) => `d.created_at >= ${p}`)
    .where(filter.to, (p) => `d.created_at < ${p}`)
    .where(
      filter.errorContains === undefined ? undefined : `%${filter.errorContains.replace(/[\\%_]/g, '\\$&')}%`,
      (p) => `d.error ILIKE ${p}`,
    )
    .where(filter.destination, (p) => `${DESTINATION} = lower(${p})`);
}

function toDeadLetterRow(row: RawDeadLetterRow): DeadLetterRow {
  return {
    id: row.id,
    runId: row.run_id,
    eventId: row.event_id,
    sourceId: row.source_id,
    ruleId: row.rule_id,
    stepId: row.step_id,
    cause: row.cause,
    error: row.error,
    status: row.status,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    replayRunId: row.replay_run_id,
    discardReason: row.discard_reason,
    destination: row.destination,
  };
}
