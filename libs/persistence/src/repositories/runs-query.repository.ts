import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeadLetterCause, DeadLetterStatus, RunStatus } from '../entities';
import { exactTime, SqlFilter, TimePosition } from './sql-filter';

export interface RunFilter {
  ruleId?: string;
  status?: RunStatus;
  eventId?: string;
  /** `created_at >= from`. */
  from?: Date;
  /** `created_at < to`. */
  to?: Date;
}

export interface RunRow {
  id: string;
  eventId: string;
  sourceId: string;
  ruleId: string;
  ruleVersion: number;
  replay: number;
  replayOf: string | null;
  /** A replay from a step: the step it started at. */
  fromStep: string | null;
  status: RunStatus;
  executions: number;
  error: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** The dead letter of a failed run. */
  deadLetter: { id: string; status: DeadLetterStatus; cause: DeadLetterCause } | null;
}

interface RawRunRow {
  id: string;
  event_id: string;
  source_id: string;
  rule_id: string;
  rule_version: number;
  replay: number;
  replay_of: string | null;
  from_step: string | null;
  status: RunStatus;
  executions: number;
  error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  dead_letter_id: string | null;
  dead_letter_status: DeadLetterStatus | null;
  dead_letter_cause: DeadLetterCause | null;
  position_at: string;
}

const RUN_QUERY = `SELECT r.id, r.event_id, e.source_id, r.rule_id, r.rule_version, r.replay, r.replay_of, r.from_step, r.status, r.executions,
    r.error, r.next_attempt_at, r.created_at, r.updated_at, r.finished_at,
    d.id AS dead_letter_id, d.status AS dead_letter_status, d.cause AS dead_letter_cause, ${exactTime('r.created_at')} AS position_at
  FROM runs r JOIN events e ON e.id = r.event_id LEFT JOIN dead_letters d ON d.run_id = r.id`;

/** The admin API's reads of runs. Step attempts come from RunsRepository.attempts. */
@Injectable()
export class RunsQueryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first, by (created_at, id); `after` is the last row of the previous page. */
  async list(filter: RunFilter, after: TimePosition | undefined, limit: number): Promise<(RunRow & { position: TimePosition })[]> {
    const where = new SqlFilter()
      .where(filter.ruleId, (p) => `r.rule_id = ${p}`)
      .where(filter.status, (p) => `r.status = ${p}`)
      .where(filter.eventId, (p) => `r.event_id = ${p}`)
      .where(filter.from, (p) => `r.created_at >= ${p}`)
      .where(filter.to, (p) => `r.created_at < ${p}`);
    if (after) where.whereSql(`(r.created_at, r.id) < (${where.param(after.at)}::timestamptz, ${where.param(after.id)}::uuid)`);
    const rows: RawRunRow[] = await this.dataSource.query(
      `${RUN_QUERY} ${where.clause} ORDER BY r.created_at DESC, r.id DESC LIMIT ${where.param(limit)}`,
      where.params,
    );
    return rows.map((row) => ({ ...toRunRow(row), position: { at: row.position_at, id: row.id } }));
  }

  /** Runs created in [from, to) by rule and status (idx on runs.created_at narrows them). */
  async countByRuleAndStatus(
    filter: Pick<RunFilter, 'ruleId' | 'from' | 'to'>,
  ): Promise<{ ruleId: string; status: RunStatus; count: number }[]> {
    const where = new SqlFilter()
      .where(filter.ruleId, (p) => `r.rule_id = ${p}`)
      .where(filter.from, (p) => `r.created_at >= ${p}`)
      .where(filter.to, (p) => `r.created_at < ${p}`);
    const rows: { rule_id: string; status: RunStatus; count: number }[] = await this.dataSource.query(
      `SELECT r.rule_id, r.status, count(*)::int AS count FROM runs r ${where.clause} GROUP BY r.rule_id, r.status ORDER BY r.rule_id, r.status`,
      where.params,
    );
    return rows.map((row) => ({ ruleId: row.rule_id, status: row.status, count: row.count }));
  }

  async findById(runId: string): Promise<RunRow | null> {
    const [row] = await this.dataSource.query<RawRunRow[]>(`${RUN_QUERY} WHERE r.id = $1`, [runId]);
    return row ? toRunRow(row) : null;
  }
}

function toRunRow(row: RawRunRow): RunRow {
  return {
    id: row.id,
    eventId: row.event_id,
    sourceId: row.source_id,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    replay: row.replay,
    replayOf: row.replay_of,
    fromStep: row.from_step,
    status: row.status,
    executions: row.executions,
    error: row.error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    deadLetter:
      row.dead_letter_id === null ? null : { id: row.dead_letter_id, status: row.dead_letter_status!, cause: row.dead_letter_cause! },
  };
}
