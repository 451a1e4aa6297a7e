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
  position_at: string;
}

const DEAD_LETTER_COLUMNS = `d.id, d.run_id, d.event_id, e.source_id, d.rule_id, d.step_id, d.cause, d.error, d.status, d.created_at,
  d.resolved_at, d.replay_run_id, d.discard_reason, ${exactTime('d.created_at')} AS position_at`;
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
    .where(filter.to, (p) => `d.created_at < ${p}`);
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
  };
}
