import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DeadLetterStatus } from '../entities';

/** The outcome of replaying one dead letter; anything but `replayed` changed nothing. */
export type DeadLetterReplay =
  | { outcome: 'replayed'; runId: string; eventId: string; ruleId: string; ruleVersion: number; replay: number }
  | { outcome: 'not_found' }
  | { outcome: 'not_pending'; status: DeadLetterStatus; replayRunId: string | null }
  | { outcome: 'rule_missing'; ruleId: string }
  | { outcome: 'rule_disabled'; ruleId: string };

/** A run to create for an operator's replay of an event, for a rule version that matched it. */
export interface NewReplayRun {
  id: string;
  ruleId: string;
  ruleVersion: number;
}

export interface ReplayedRun {
  runId: string;
  ruleId: string;
  ruleVersion: number;
  replay: number;
  /** The latest earlier run of the event for the rule, if there was one. */
  replayOf: string | null;
  /** Pending dead letters of the event for the rule that this run now settles. */
  deadLettersReplayed: string[];
}

/** A run of an event for a rule that has not finished: a replay made now could deliver the event twice. */
export interface InFlightRun {
  runId: string;
  ruleId: string;
  replay: number;
  status: 'pending' | 'running' | 'retrying';
}

/** What replaying an event did: made its runs, or nothing because runs of it are still in flight. */
export type EventReplay = { outcome: 'replayed'; runs: ReplayedRun[] } | { outcome: 'in_flight'; runs: InFlightRun[] };

/**
 * An operator's replay of one run: a new run of its event for its rule, with the rule version
 * checked when the plan was made. With `fromStep`, the run starts at that step and carries over
 * the attempts named (of the steps before it in the replayed run: the succeeded attempt of each,
 * or the final failed attempt of a `continueOnError` step the run went past).
 */
export interface RunReplayRequest {
  sourceRunId: string;
  runId: string;
  ruleVersion: number;
  fromStep: string | null;
  carriedAttemptIds: string[];
  force: boolean;
}

/** What replaying a run did; anything but `replayed` changed nothing. */
export type RunReplay =
  | { outcome: 'replayed'; run: ReplayedRun & { fromStep: string | null; carriedSteps: string[] } }
  | { outcome: 'not_found' }
  | { outcome: 'in_flight'; runs: InFlightRun[] }
  | { outcome: 'rule_missing'; ruleId: string }
  | { outcome: 'rule_disabled'; ruleId: string }
  | { outcome: 'rule_changed'; ruleId: string; currentVersion: number }
  /** Attempts planned to be carried over are no longer the replayed run's (retention pruned them, say). */
  | { outcome: 'source_run_changed'; missingAttemptIds: string[] };

export type DeadLetterDiscard = { outcome: 'discarded' } | { outcome: 'not_found' } | { outcome: 'not_pending'; status: DeadLetterStatus };

export interface RuleState {
  enabled: boolean;
  currentVersion: number;
  sourceId: string;
}

/**
 * The key class of the advisory locks that serialise replays of one (event, rule): two-key
 * advisory locks never collide with one-key ones such as the catalog sync's.
 */
const REPLAY_LOCK_CLASS = 742_002;

/**
 * Operators' changes to runs and dead letters: replays and discards. A replay run is a new run of
 * the event for the rule (next `replay` number) in state `pending`; the caller enqueues it.
 */
@Injectable()
export class ReplaysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Replays a pending dead letter with its rule's current version, in one transaction: the new run
   * (`replay_of` = the dead letter's run) and the dead letter marked `replayed` by it. Concurrent
   * replays of the same dead letter queue up on a lock, and all but the first find it no longer pending.
   */
  async replayDeadLetter(deadLetterId: string, runId: string): Promise<DeadLetterReplay> {
    return this.dataSource.transaction(async (manager) => {
      const [target] = await manager.query<{ event_id: string; rule_id: string }[]>(
        'SELECT event_id, rule_id FROM dead_letters WHERE id = $1',
        [deadLetterId],
      );
      if (!target) return { outcome: 'not_found' };
      await lockReplays(manager, target.event_id, target.rule_id);
      const [letter] = await manager.query<{ run_id: string; status: DeadLetterStatus; replay_run_id: string | null }[]>(
        'SELECT run_id, status, replay_run_id FROM dead_letters WHERE id = $1 FOR UPDATE',
        [deadLetterId],
      );
      if (!letter) return { outcome: 'not_found' };
      if (letter.status !== 'pending') return { outcome: 'not_pending', status: letter.status, replayRunId: letter.replay_run_id };
      const rule = await ruleState(manager, target.rule_id);
      if (!rule) return { outcome: 'rule_missing', ruleId: target.rule_id };
      if (!rule.enabled) return { outcome: 'rule_disabled', ruleId: target.rule_id };
      const replay = await insertReplayRun(
        manager,
        target.event_id,
        { id: runId, ruleId: target.rule_id, ruleVersion: rule.currentVersion },
        letter.run_id,
      );
      await manager.query(`UPDATE dead_letters SET status = 'replayed', replay_run_id = $2 WHERE id = $1`, [deadLetterId, runId]);
      return { outcome: 'replayed', runId, eventId: target.event_id, ruleId: target.rule_id, ruleVersion: rule.currentVersion, replay };
    });
  }

  /**
   * Creates replay runs of an event, one per rule, in one transaction. Each takes over the pending
   * dead letters of the event for its rule (marks them `replayed` by it), so they are resolved when
   * it succeeds and a later bulk replay does not deliver the event a second time. When a run of the
   * event for one of the rules has not finished (pending, running, retrying: the dispatched run or
   * an earlier replay), nothing is made and those runs are returned, unless `force` says to replay
   * anyway. The check holds the same locks as the insert, so two concurrent replays make one run.
   */
  async replayEvent(eventId: string, runs: NewReplayRun[], options: { force: boolean }): Promise<EventReplay> {
    const ordered = [...runs].sort((a, b) => a.ruleId.localeCompare(b.ruleId)); // one lock order for every caller
    return this.dataSource.transaction(async (manager) => {
      for (const run of ordered) await lockReplays(manager, eventId, run.ruleId);
      if (!options.force) {
        const inFlight = await inFlightRuns(
          manager,
          eventId,
          ordered.map((run) => run.ruleId),
        );
        if (inFlight.length > 0) return { outcome: 'in_flight', runs: inFlight };
      }
      const replayed: ReplayedRun[] = [];
      for (const run of ordered) {
        const [previous] = await manager.query<{ id: string }[]>(
          'SELECT id FROM runs WHERE event_id = $1 AND rule_id = $2 ORDER BY replay DESC LIMIT 1',
          [eventId, run.ruleId],
        );
        const replay = await insertReplayRun(manager, eventId, run, previous?.id ?? null);
        const [taken] = await manager.query<[{ id: string }[], number]>(
          `UPDATE dead_letters SET status = 'replayed', replay_run_id = $3 WHERE event_id = $1 AND rule_id = $2 AND status = 'pending' RETURNING id`,
          [eventId, run.ruleId, run.id],
        );
        replayed.push({
          runId: run.id,
          ruleId: run.ruleId,
          ruleVersion: run.ruleVersion,
          replay,
          replayOf: previous?.id ?? null,
          deadLettersReplayed: taken.map((row) => row.id),
        });
      }
      return { outcome: 'replayed', runs: replayed };
    });
  }

  /**
   * Replays a run, in one transaction under the lock of its (event, rule): refuses while a run of
   * them is in flight (unless `force`), when the rule is gone or disabled, or when its current
   * version is no longer the one the caller planned with, or when the run or the attempts to carry
   * over are gone (`not_found`, `source_run_changed`: retention pruned them after the plan was made).
   * The new run replays the given run (`replay_of`), takes over the pending dead letters of the
   * event for the rule, and gets copies of the carried attempts, each naming the run that really
   * made it (a carried attempt carried again keeps its origin).
   */
  async replayRun(request: RunReplayRequest): Promise<RunReplay> {
    return this.dataSource.transaction(async (manager) => {
      const [source] = await manager.query<{ event_id: string; rule_id: string }[]>('SELECT event_id, rule_id FROM runs WHERE id = $1', [
        request.sourceRunId,
      ]);
      if (!source) return { outcome: 'not_found' };
      await lockReplays(manager, source.event_id, source.rule_id);
      if (!request.force) {
        const inFlight = await inFlightRuns(manager, source.event_id, [source.rule_id]);
        if (inFlight.length > 0) return { outcome: 'in_flight', runs: inFlight };
      }
      const rule = await ruleState(manager, source.rule_id);
      if (!rule) return { outcome: 'rule_missing', ruleId: source.rule_id };
      if (!rule.enabled) return { outcome: 'rule_disabled', ruleId: source.rule_id };
      if (rule.currentVersion !== request.ruleVersion) {
        return { outcome: 'rule_changed', ruleId: source.rule_id, currentVersion: rule.currentVersion };
      }
      if (!(await holdEvent(manager, source.event_id))) return { outcome: 'not_found' };
      const missingAttemptIds = await holdCarriedAttempts(manager, request);
      if (missingAttemptIds.length > 0) return { outcome: 'source_run_changed', missingAttemptIds };
      const run = { id: request.runId, ruleId: source.rule_id, ruleVersion: request.ruleVersion };
      const replay = await insertReplayRun(manager, source.event_id, run, request.sourceRunId, request.fromStep);
      const carriedSteps = await copyAttempts(manager, request);
      const [taken] = await manager.query<[{ id: string }[], number]>(
        `UPDATE dead_letters SET status = 'replayed', replay_run_id = $3 WHERE event_id = $1 AND rule_id = $2 AND status = 'pending' RETURNING id`,
        [source.event_id, source.rule_id, request.runId],
      );
      return {
        outcome: 'replayed',
        run: {
          runId: request.runId,
          ruleId: source.rule_id,
          ruleVersion: request.ruleVersion,
          replay,
          replayOf: request.sourceRunId,
          deadLettersReplayed: taken.map((row) => row.id),
          fromStep: request.fromStep,
          carriedSteps,
        },
      };
    });
  }

  /**
   * Takes back replay runs that could not be queued: deletes those no worker has taken up and puts
   * the dead letters they had taken over back to `pending`. Returns the ids it took back.
   */
  async cancelReplayRuns(runIds: string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      const [deleted] = await manager.query<[{ id: string }[], number]>(
        `DELETE FROM runs WHERE id = ANY($1::uuid[]) AND status = 'pending' AND executions = 0 RETURNING id`,
        [runIds],
      );
      const ids = deleted.map((row) => row.id);
      if (ids.length > 0) {
        await manager.query(
          `UPDATE dead_letters SET status = 'pending', replay_run_id = NULL WHERE replay_run_id = ANY($1::uuid[]) AND status = 'replayed'`,
          [ids],
        );
      }
      return ids;
    });
  }

  /** Discards a pending dead letter, keeping the operator's reason. */
  async discard(deadLetterId: string, reason: string): Promise<DeadLetterDiscard> {
    const [updated] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE dead_letters SET status = 'discarded', discard_reason = $2 WHERE id = $1 AND status = 'pending' RETURNING id`,
      [deadLetterId, reason],
    );
    if (updated.length > 0) return { outcome: 'discarded' };
    const [current] = await this.dataSource.query<{ status: DeadLetterStatus }[]>('SELECT status FROM dead_letters WHERE id = $1', [
      deadLetterId,
    ]);
    return current ? { outcome: 'not_pending', status: current.status } : { outcome: 'not_found' };
  }

  /** Whether a rule exists, is enabled, and its current version. */
  ruleState(ruleId: string): Promise<RuleState | null> {
    return ruleState(this.dataSource.manager, ruleId);
  }
}

async function lockReplays(manager: EntityManager, eventId: string, ruleId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock($1, hashtext($2 || '/' || $3))`, [REPLAY_LOCK_CLASS, eventId, ruleId]);
}

async function inFlightRuns(manager: EntityManager, eventId: string, ruleIds: string[]): Promise<InFlightRun[]> {
  const rows = await manager.query<{ id: string; rule_id: string; replay: number; status: InFlightRun['status'] }[]>(
    `SELECT id, rule_id, replay, status FROM runs
      WHERE event_id = $1 AND rule_id = ANY($2::text[]) AND status IN ('pending', 'running', 'retrying')
      ORDER BY rule_id, replay`,
    [eventId, ruleIds],
  );
  return rows.map((row) => ({ runId: row.id, ruleId: row.rule_id, replay: row.replay, status: row.status }));
}

async function ruleState(manager: EntityManager, ruleId: string): Promise<RuleState | null> {
  const [row] = await manager.query<{ enabled: boolean; current_version: number; source_id: string }[]>(
    'SELECT enabled, current_version, source_id FROM rules WHERE id = $1',
    [ruleId],
  );
  return row ? { enabled: row.enabled, currentVersion: row.current_version, sourceId: row.source_id } : null;
}

/** Inserts a pending run with the next replay number of its (event, rule); returns that number. */
async function insertReplayRun(
  manager: EntityManager,
  eventId: string,
  run: NewReplayRun,
  replayOf: string | null,
  fromStep: string | null = null,
): Promise<number> {
  const [row] = await manager.query<{ replay: number }[]>(
    `INSERT INTO runs (id, event_id, rule_id, rule_version, status, replay, replay_of, from_step)
     SELECT $1, $2, $3, $4, 'pending', coalesce(max(replay), 0) + 1, $5, $6 FROM runs WHERE event_id = $2 AND rule_id = $3
     RETURNING replay`,
    [run.id, eventId, run.ruleId, run.ruleVersion, replayOf, fromStep],
  );
  if (!row) throw new Error(`the replay run of event ${eventId} for rule ${run.ruleId} was not inserted`);
  return row.replay;
}

/**
 * Keeps the replayed run's event (and so the run and its attempts, which go with it through ON
 * DELETE CASCADE) from being pruned until the replay commits; false when it is already gone.
 */
async function holdEvent(manager: EntityManager, eventId: string): Promise<boolean> {
  const rows = await manager.query<unknown[]>('SELECT 1 FROM events WHERE id = $1 FOR KEY SHARE', [eventId]);
  return rows.length > 0;
}

/**
 * Locks the attempts to carry over against deletion until the replay commits, so the copy finds
 * them all; returns the ids of those that are no longer the replayed run's.
 */
async function holdCarriedAttempts(manager: EntityManager, request: RunReplayRequest): Promise<string[]> {
  if (request.carriedAttemptIds.length === 0) return [];
  const rows = await manager.query<{ id: string }[]>(
    'SELECT id::text AS id FROM step_attempts WHERE run_id = $1 AND id = ANY($2::bigint[]) FOR SHARE',
    [request.sourceRunId, request.carriedAttemptIds],
  );
  const held = new Set(rows.map((row) => row.id));
  return request.carriedAttemptIds.filter((id) => !held.has(id));
}

/** Copies the carried attempts (held by `holdCarriedAttempts`) of the replayed run into the new one; returns the steps they are of. */
async function copyAttempts(manager: EntityManager, request: RunReplayRequest): Promise<string[]> {
  if (request.carriedAttemptIds.length === 0) return [];
  const rows = await manager.query<{ step_id: string }[]>(
    `INSERT INTO step_attempts (run_id, step_id, attempt, status, started_at, duration_ms, request, response_status, output, error, carried_from)
     SELECT $1, step_id, attempt, status, started_at, duration_ms, request, response_status, output, error, coalesce(carried_from, run_id)
       FROM step_attempts WHERE run_id = $2 AND id = ANY($3::bigint[])
      ORDER BY id
     RETURNING step_id`,
    [request.runId, request.sourceRunId, request.carriedAttemptIds],
  );
  return rows.map((row) => row.step_id);
}
