import { Injectable } from '@nestjs/common';
import { MicroBatcher } from '@hookflow/batching';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { storableJson, storableText } from '../storable';
import { EventStatus, RunEntity, StepAttemptEntity } from '../entities';
import { isDatabaseUnavailable } from '../database-errors';
import { EventForRules } from './events.repository';

export interface NewRun {
  id: string;
  ruleId: string;
  ruleVersion: number;
  /** Set when the rule's `when` could not be evaluated: the run is created failed, with a dead letter. */
  evaluationError?: string;
}

/** An attempt a worker made; carried-over attempts are copied by ReplaysRepository. */
export type NewStepAttempt = Omit<StepAttemptEntity, 'id' | 'run' | 'carriedFrom'>;

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

/** A runs row (alias `r`) as a {@link RunEntity}, for plain SQL on the engine's hot path. */
const RUN_COLUMNS = `r.id, r.event_id AS "eventId", r.rule_id AS "ruleId", r.rule_version AS "ruleVersion", r.status, r.replay,
  r.replay_of AS "replayOf", r.from_step AS "fromStep", r.executions, r.next_attempt_at AS "nextAttemptAt", r.error, r.created_at AS "createdAt",
  r.updated_at AS "updatedAt", r.finished_at AS "finishedAt"`;

/** A claimed run with its event, as {@link RunsRepository.claimRun} reads them. */
export interface ClaimedRun {
  run: RunEntity;
  event: EventForRules | null;
  firstClaim: boolean;
}

type ClaimedRow = Record<string, unknown> & { previousExecutions: number };
interface RunClaim {
  runId: string;
  execution: number;
}
interface RunSuccess {
  runId: string;
  lastAttempt?: NewStepAttempt;
}

function toClaimedRun({ previousExecutions, ...columns }: ClaimedRow): ClaimedRun {
  const run: Record<string, unknown> = {};
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(columns)) {
    if (name.startsWith('event.')) event[name.slice('event.'.length)] = value;
    else run[name] = value;
  }
  return {
    run: run as unknown as RunEntity,
    event: event.id === null ? null : (event as unknown as EventForRules),
    // No execution ever started before, so the run has no attempts yet, unless it is a replay from
    // a step: those start with the attempts they carried over.
    firstClaim: previousExecutions === 0 && run.fromStep === null,
  };
}

/** Sorts before every uuid: the start of a keyset walk. */
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/** Statements of one kind in flight at once; concurrent calls beyond that wait and go together. */
const MAX_CONCURRENT_STATEMENTS = 2;
const MAX_BATCH = 100;

@Injectable()
export class RunsRepository {
  /** The engine's per-run statements, group-committed as ingest's inserts are ({@link MicroBatcher}). */
  private readonly claims: MicroBatcher<RunClaim, ClaimedRun | null>;
  private readonly successes: MicroBatcher<RunSuccess, void>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    // A batch that fails for a reason of its own (a value PostgreSQL refuses) is retried call by call.
    const batching = {
      maxBatch: MAX_BATCH,
      maxConcurrent: MAX_CONCURRENT_STATEMENTS,
      maxPending: Number.MAX_SAFE_INTEGER, // bounded by the workers' concurrency
      retrySeparately: (error: unknown) => !isDatabaseUnavailable(error),
    };
    this.claims = new MicroBatcher({ ...batching, run: (requests) => this.claimRuns(requests) });
    this.successes = new MicroBatcher({ ...batching, run: (successes) => this.markManySucceeded(successes) });
  }

  /**
   * Creates one run per matched rule (a failed one, with its dead letter, for a rule whose `when`
   * could not be evaluated) and marks a `received` event dispatched, in one statement; returns the
   * event's runs that no worker has taken up yet, new or not. Runs are unique per (event, rule),
   * so dispatching the same event again creates nothing new and returns what still waits.
   */
  async dispatchEvent(eventId: string, runs: NewRun[]): Promise<string[]> {
    const status: EventStatus = runs.length > 0 ? 'dispatched' : 'unmatched';
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH input AS (
         SELECT * FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::uuid[])
           AS i(id, rule_id, rule_version, error, dead_letter_id)
       ), new_runs AS (
         INSERT INTO runs (id, event_id, rule_id, rule_version, status, error, finished_at)
         SELECT id, $1, rule_id, rule_version, CASE WHEN error IS NULL THEN 'pending' ELSE 'failed' END, error,
                CASE WHEN error IS NOT NULL THEN now() END
           FROM input
         ON CONFLICT ON CONSTRAINT uq_runs_event_rule_replay DO NOTHING
         RETURNING id, status
       ), dead AS (
         INSERT INTO dead_letters (id, run_id, event_id, rule_id, cause, error, attempts)
         SELECT i.dead_letter_id, i.id, $1, i.rule_id, 'evaluation', i.error, '[]'::jsonb
           FROM input i JOIN new_runs n ON n.id = i.id WHERE i.error IS NOT NULL
       ), dispatched AS (
         UPDATE events SET status = $2, dispatched_at = now() WHERE id = $1 AND status = 'received'
       )
       SELECT id FROM new_runs WHERE status = 'pending'
       UNION SELECT id FROM runs WHERE event_id = $1 AND status = 'pending'`,
      [
        eventId,
        status,
        runs.map((run) => run.id),
        runs.map((run) => run.ruleId),
        runs.map((run) => run.ruleVersion),
        runs.map((run) => (run.evaluationError === undefined ? null : storableText(run.evaluationError))),
        runs.map(() => uuidv7()),
      ],
    );
    return rows.map((row) => row.id);
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

  /**
   * Claims a run for its `execution`-th try and reads its event. Returns null when the run is
   * finished or a later execution has already started (a stale or duplicate job), so the caller
   * does nothing. `event` is null when the event is gone (pruned, say). Concurrent claims share
   * one statement ({@link claimRuns}).
   */
  async claimRun(runId: string, execution: number): Promise<ClaimedRun | null> {
    const [claimed] = await this.claims.submit([{ runId, execution }]);
    return claimed ?? null;
  }

  /** Many claims in one statement, locking in id order; a run asked for twice is claimed by the first ask only. */
  private async claimRuns(requests: RunClaim[]): Promise<(ClaimedRun | null)[]> {
    const first = new Map<string, RunClaim>();
    for (const request of requests) if (!first.has(request.runId)) first.set(request.runId, request);
    const asked = [...first.values()];
    const rows = await this.dataSource.query<ClaimedRow[]>(
      `WITH asked AS (
         SELECT * FROM unnest($1::uuid[], $2::int[]) AS a(id, execution)
       ), claimable AS (
         SELECT r.id, r.executions, a.execution FROM runs r JOIN asked a ON a.id = r.id
          WHERE r.status NOT IN ('succeeded', 'failed') AND r.executions <= a.execution
          ORDER BY r.id
          FOR UPDATE OF r
       ), claimed AS (
         UPDATE runs r SET status = 'running', executions = c.execution, next_attempt_at = NULL, updated_at = now()
           FROM claimable c WHERE r.id = c.id
         RETURNING r.*, c.executions AS previous_executions
       )
       SELECT ${RUN_COLUMNS}, r.previous_executions AS "previousExecutions",
              e.id AS "event.id", e.source_id AS "event.sourceId", e.type AS "event.type", e.status AS "event.status",
              e.headers AS "event.headers", e.payload AS "event.payload", e.received_at AS "event.receivedAt"
         FROM claimed r LEFT JOIN events e ON e.id = r.event_id`,
      [asked.map((request) => request.runId), asked.map((request) => request.execution)],
    );
    const claimed = new Map(rows.map((row) => [row.id as string, toClaimedRun(row)]));
    return requests.map((request) => (first.get(request.runId) === request ? (claimed.get(request.runId) ?? null) : null));
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
      attemptParameters(attempt),
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
   * Marks the run succeeded, records its last step's attempt when given (so a run's last write is
   * one statement) and, when it is a replay, resolves the dead letters it settles: the one it
   * replayed and, up the chain, each dead letter an earlier failed replay came from. Concurrent
   * calls share one statement.
   */
  async markSucceeded(runId: string, lastAttempt?: NewStepAttempt): Promise<void> {
    await this.successes.submit([{ runId, lastAttempt }]);
  }

  private async markManySucceeded(successes: RunSuccess[]): Promise<void[]> {
    const attempts = successes.flatMap((success) => (success.lastAttempt ? [success.lastAttempt] : []));
    const columns = attempts.map(attemptParameters);
    await this.dataSource.query(
      `WITH RECURSIVE attempt AS (
         INSERT INTO step_attempts (run_id, step_id, attempt, status, started_at, duration_ms, request, response_status, output, error)
         SELECT * FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::timestamptz[], $8::int[], $9::jsonb[], $10::int[],
                              $11::jsonb[], $12::text[])
         ON CONFLICT ON CONSTRAINT uq_step_attempts_run_step_attempt DO NOTHING
       ), done AS (
         UPDATE runs SET status = 'succeeded', error = NULL, updated_at = $2, finished_at = $2 WHERE id = ANY($1::uuid[]) RETURNING id
       ), chain AS (
         SELECT d.id, d.run_id FROM dead_letters d JOIN done ON d.replay_run_id = done.id
         UNION SELECT d.id, d.run_id FROM dead_letters d JOIN chain c ON d.replay_run_id = c.run_id
       )
       UPDATE dead_letters SET status = 'resolved', resolved_at = $2 WHERE id IN (SELECT id FROM chain) AND status <> 'resolved'`,
      [
        successes.map((success) => success.runId),
        new Date(),
        ...Array.from({ length: 10 }, (_, column) => columns.map((row) => row[column])),
      ],
    );
    return successes.map(() => undefined);
  }
}

/** A step attempt's ten column values, in the order of the INSERTs above. */
function attemptParameters(attempt: NewStepAttempt): unknown[] {
  return [
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
  ];
}
