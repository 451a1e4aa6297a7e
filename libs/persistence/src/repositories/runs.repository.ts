import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { storableJson, storableText } from '../storable';
import { EventStatus, RunEntity, StepAttemptEntity } from '../entities';

export interface NewRun {
  id: string;
  ruleId: string;
  ruleVersion: number;
  /** Set when the rule's `when` could not be evaluated: the run is created failed, with a dead letter. */
  evaluationError?: string;
}

export type NewStepAttempt = Omit<StepAttemptEntity, 'id' | 'run'>;

/** A run that should have a job queued by now; `executions` names the job it should have. */
export interface StrandedRun {
  id: string;
  status: 'pending' | 'retrying';
  executions: number;
  replay: number;
}

/** Where {@link RunsRepository.strandedRuns} looks. */
export interface StrandedRunsQuery {
  /** Pending runs never taken up, created before this. */
  pendingSince: Date;
  /** Retrying runs whose next try was due before this. */
  dueBefore: Date;
  /** Only runs whose id comes after this one (the last of the previous batch). */
  after?: string;
  limit: number;
}

/** Sorts before every uuid: the start of a keyset walk. */
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

@Injectable()
export class RunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Creates one run per matched rule and marks the event dispatched, atomically. Runs are unique
   * per (event, rule), so dispatching the same event again creates nothing new.
   */
  async dispatchEvent(eventId: string, runs: NewRun[]): Promise<void> {
    const status: EventStatus = runs.length > 0 ? 'dispatched' : 'unmatched';
    await this.dataSource.transaction(async (manager) => {
      for (const run of runs) {
        const inserted: { id: string }[] = await manager.query(
          `INSERT INTO runs (id, event_id, rule_id, rule_version, status, error, finished_at)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5 = 'failed' THEN now() END)
           ON CONFLICT ON CONSTRAINT uq_runs_event_rule_replay DO NOTHING RETURNING id`,
          [run.id, eventId, run.ruleId, run.ruleVersion, run.evaluationError ? 'failed' : 'pending', run.evaluationError ?? null],
        );
        if (inserted.length > 0 && run.evaluationError) {
          await manager.query(
            `INSERT INTO dead_letters (id, run_id, event_id, rule_id, cause, error, attempts) VALUES ($1, $2, $3, $4, 'evaluation', $5, '[]'::jsonb)`,
            [uuidv7(), run.id, eventId, run.ruleId, run.evaluationError],
          );
        }
      }
      await manager.query(`UPDATE events SET status = $2, dispatched_at = now() WHERE id = $1 AND status = 'received'`, [eventId, status]);
    });
  }

  /**
   * Runs whose job should be in a queue by now, in id order: pending ones that no worker took up
   * after they were created, and retrying ones whose next try is overdue. Most have their job
   * (waiting behind others); a crash between commit and enqueue, or Redis losing data, leaves some
   * without. Each half is read through idx_runs_status_next_attempt.
   */
  async strandedRuns(query: StrandedRunsQuery): Promise<StrandedRun[]> {
    return this.dataSource.query<StrandedRun[]>(
      `SELECT id, status, executions, replay FROM (
         SELECT id, status, executions, replay FROM runs
          WHERE status = 'pending' AND executions = 0 AND created_at < $1 AND id > $3
         UNION ALL
         SELECT id, status, executions, replay FROM runs
          WHERE status = 'retrying' AND next_attempt_at < $2 AND id > $3
       ) stranded ORDER BY id LIMIT $4`,
      [query.pendingSince, query.dueBefore, query.after ?? FIRST_UUID, query.limit],
    );
  }

  /** Runs of an event that no worker has taken up yet. */
  async pendingRunIds(eventId: string): Promise<string[]> {
    const rows = await this.dataSource.getRepository(RunEntity).find({ select: { id: true }, where: { eventId, status: 'pending' } });
    return rows.map((row) => row.id);
  }

  /**
   * Claims a run for its `execution`-th try. Returns null when the run is finished or a later
   * execution has already started (a stale or duplicate job), so the caller does nothing.
   */
  async beginExecution(runId: string, execution: number): Promise<RunEntity | null> {
    const [rows] = (await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE runs SET status = 'running', executions = $2, next_attempt_at = NULL, updated_at = now()
        WHERE id = $1 AND status NOT IN ('succeeded', 'failed') AND executions <= $2
        RETURNING id`,
      [runId, execution],
    )) as [{ id: string }[], number];
    if (rows.length === 0) return null;
    return this.dataSource.getRepository(RunEntity).findOneBy({ id: runId });
  }

  findById(runId: string): Promise<RunEntity | null> {
    return this.dataSource.getRepository(RunEntity).findOneBy({ id: runId });
  }

  /** Every step attempt of a run, in the order they happened. */
  attempts(runId: string): Promise<StepAttemptEntity[]> {
    return this.dataSource.getRepository(StepAttemptEntity).find({ where: { runId }, order: { startedAt: 'ASC', id: 'ASC' } });
  }

  async recordAttempt(attempt: NewStepAttempt): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO step_attempts (run_id, step_id, attempt, status, started_at, duration_ms, request, response_status, output, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT ON CONSTRAINT uq_step_attempts_run_step_attempt DO NOTHING`,
      [
        attempt.runId,
        attempt.stepId,
        attempt.attempt,
        attempt.status,
        attempt.startedAt,
        attempt.durationMs,
        storableJson(attempt.request ?? undefined),
        attempt.responseStatus,
        storableJson(attempt.output ?? undefined),
        storableText(attempt.error),
      ],
    );
  }

  /**
   * Marks the run as waiting for its `nextExecution`-th try. Recording that number now makes an
   * older job that runs again (stall recovery) find itself stale instead of retrying early.
   */
  async scheduleRetry(runId: string, nextExecution: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.dataSource
      .getRepository(RunEntity)
      .update(
        { id: runId },
        { status: 'retrying', executions: nextExecution, nextAttemptAt, error: storableText(error), updatedAt: new Date() },
      );
  }

  /**
   * Marks the run succeeded and, when it is a replay, resolves the dead letters it settles: the one
   * it replayed and, up the chain, each dead letter an earlier failed replay came from. One
   * statement, so a run that is no replay costs no more than the update.
   */
  async markSucceeded(runId: string): Promise<void> {
    await this.dataSource.query(
      `WITH RECURSIVE done AS (
         UPDATE runs SET status = 'succeeded', error = NULL, updated_at = $2, finished_at = $2 WHERE id = $1 RETURNING id
       ), chain AS (
         SELECT d.id, d.run_id FROM dead_letters d JOIN done ON d.replay_run_id = done.id
         UNION SELECT d.id, d.run_id FROM dead_letters d JOIN chain c ON d.replay_run_id = c.run_id
       )
       UPDATE dead_letters SET status = 'resolved', resolved_at = $2 WHERE id IN (SELECT id FROM chain) AND status <> 'resolved'`,
      [runId, new Date()],
    );
  }
}
