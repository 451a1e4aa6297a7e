import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { exactTime, TimePosition } from './sql-filter';

/** Rows one batch deleted: the events, and what went with them through ON DELETE CASCADE. */
export interface PrunedRows {
  events: number;
  runs: number;
  stepAttempts: number;
  deadLetters: number;
}

/** What one batch did. */
export interface RetentionBatch {
  /** Events older than the cut-off that the batch looked at (deleted or kept). */
  examined: number;
  pruned: PrunedRows;
  /** Where the next batch starts; undefined once every event older than the cut-off has been looked at. */
  next?: TimePosition;
}

/**
 * Any constant unique to this lock (the catalog writers hold 742_001, the rejection log's pruning
 * 742_002): one engine prunes at a time, the others skip that round.
 */
const RETENTION_LOCK = 742_003;
/** A batch gives up rather than queue behind a long transaction holding a row it must delete; the next pass retries. */
const LOCK_TIMEOUT = '5s';
/** Before every event: `(received_at, id) > START` holds for all of them. */
const START: TimePosition = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

/**
 * Whether event `e` may go, given the cut-off as `$1`: dispatched (or unmatched) before it, and
 * nothing it caused still open or touched since. A run that has not finished or changed after the
 * cut-off (a recent replay), a pending dead letter (it waits for an operator), or a dead letter
 * resolved after the cut-off keeps the whole event. A `replayed` dead letter is open exactly while its replay
 * run is, or while the replay's own dead letter is pending: both are rows of the same event,
 * checked here. Discarded dead letters are settled. Runs are reached through their (event_id, …)
 * unique index, dead letters through their run.
 */
const PRUNABLE = `e.status <> 'received'
  AND (e.dispatched_at IS NULL OR e.dispatched_at < $1)
  AND NOT EXISTS (
    SELECT 1 FROM runs r
     WHERE r.event_id = e.id AND (r.status NOT IN ('succeeded', 'failed') OR r.updated_at >= $1))
  AND NOT EXISTS (
    SELECT 1 FROM runs r JOIN dead_letters d ON d.run_id = r.id
     WHERE r.event_id = e.id AND (d.status = 'pending' OR d.resolved_at >= $1))`;

/**
 * A pass of the retention pruner, holding the session advisory lock that makes it the only one.
 * Every batch is a transaction of its own on the lock's connection, so a pass takes one of the
 * pool's connections and never holds row locks for longer than one batch.
 */
export class RetentionSession {
  constructor(private readonly runner: QueryRunner) {}

  /**
   * Deletes, oldest first, the prunable events among the next `limit` events received before
   * `before` (after `after`, or from the first), and their runs, step attempts and dead letters.
   * Events kept are stepped over, so a pass looks at each old event once, however many it keeps.
   */
  async pruneBatch(before: Date, after: TimePosition | undefined, limit: number): Promise<RetentionBatch> {
    const from = after ?? START;
    const window = (await this.runner.query(
      `SELECT id, ${exactTime('received_at')} AS at FROM events
        WHERE received_at < $1 AND (received_at, id) > ($2::timestamptz, $3::uuid)
        ORDER BY received_at, id LIMIT $4`,
      [before, from.at, from.id, limit],
    )) as { id: string; at: string }[];
    const last = window[window.length - 1];
    const next = window.length < limit || !last ? undefined : { at: last.at, id: last.id };
    const pruned =
      window.length === 0
        ? noRows()
        : await this.deleteAmong(
            before,
            window.map((row) => row.id),
          );
    return { examined: window.length, pruned, next };
  }

  /** Gives the lock and the connection back. */
  async release(): Promise<void> {
    try {
      await this.runner.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
    } finally {
      await this.runner.release();
    }
  }

  /**
   * Locks the prunable ones first, skipping any that another transaction holds (a replay inserting
   * a run of it holds its key), then checks them again with a snapshot taken after the locks: a run
   * committed between the first look and the lock is seen, and none can be added until the commit.
   */
  private async deleteAmong(before: Date, ids: string[]): Promise<PrunedRows> {
    await this.runner.startTransaction();
    try {
      await this.runner.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      const locked = (await this.runner.query(
        `SELECT e.id FROM events e WHERE e.id = ANY($2::uuid[]) AND ${PRUNABLE} FOR UPDATE OF e SKIP LOCKED`,
        [before, ids],
      )) as { id: string }[];
      const pruned =
        locked.length === 0
          ? noRows()
          : await this.deleteEvents(
              before,
              locked.map((row) => row.id),
            );
      await this.runner.commitTransaction();
      return pruned;
    } catch (error) {
      await this.runner.rollbackTransaction();
      throw error;
    }
  }

  /** One statement: the counts read the same snapshot as the DELETE, so they are the rows its cascade removes. */
  private async deleteEvents(before: Date, ids: string[]): Promise<PrunedRows> {
    const [row] = (await this.runner.query(
      `WITH doomed AS (
         SELECT e.id FROM events e WHERE e.id = ANY($2::uuid[]) AND ${PRUNABLE}
       ), doomed_runs AS (
         SELECT r.id FROM runs r JOIN doomed ON r.event_id = doomed.id
       ), gone AS (
         DELETE FROM events WHERE id IN (SELECT id FROM doomed) RETURNING id
       )
       SELECT (SELECT count(*) FROM gone)::int AS events,
              (SELECT count(*) FROM doomed_runs)::int AS runs,
              (SELECT count(*) FROM step_attempts a JOIN doomed_runs r ON a.run_id = r.id)::int AS step_attempts,
              (SELECT count(*) FROM dead_letters d JOIN doomed_runs r ON d.run_id = r.id)::int AS dead_letters`,
      [before, ids],
    )) as { events: number; runs: number; step_attempts: number; dead_letters: number }[];
    return { events: row?.events ?? 0, runs: row?.runs ?? 0, stepAttempts: row?.step_attempts ?? 0, deadLetters: row?.dead_letters ?? 0 };
  }
}

/** The retention pruner's SQL (docs/operations.md, "Retention"). */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the pruning lock on a connection of its own; undefined, holding nothing, while another
   * process has it. A session lock, not a transaction's: it outlives each batch, and PostgreSQL
   * drops it if the connection dies.
   */
  async lockPruning(): Promise<RetentionSession | undefined> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [lock] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK])) as { locked: boolean }[];
      if (lock?.locked) return new RetentionSession(runner);
    } catch (error) {
      await runner.release();
      throw error;
    }
    await runner.release();
    return undefined;
  }
}

function noRows(): PrunedRows {
  return { events: 0, runs: 0, stepAttempts: 0, deadLetters: 0 };
}
