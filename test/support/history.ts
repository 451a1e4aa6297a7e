import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';

const DAY_MS = 86_400_000;

/** A dead letter of a seeded run; `resolvedDaysAgo` only for `resolved`. */
export interface SeededDeadLetter {
  status: 'pending' | 'replayed' | 'resolved' | 'discarded';
  resolvedDaysAgo?: number;
}

export interface SeededRun {
  status: 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed';
  /** When the run last changed; the event's age when unset. */
  daysAgo?: number;
  /** Step attempts recorded for it (default 1). */
  attempts?: number;
  deadLetter?: SeededDeadLetter;
  /** The index, in the event's runs, of the run whose dead letter this run replays. */
  replays?: number;
}

export interface SeededEvent {
  daysAgo: number;
  status?: 'received' | 'dispatched' | 'unmatched';
  runs?: SeededRun[];
}

/** The ids of what {@link seedHistory} wrote. */
export interface SeededHistory {
  eventId: string;
  runIds: string[];
  deadLetterIds: string[];
}

/**
 * Writes an event with its runs, step attempts and dead letters straight into the database, dated
 * in the past as if it had been received and run then. Runs are of `rule` (version 1), which must
 * exist; the event is of `source`.
 */
export async function seedHistory(db: Client, source: string, rule: string, event: SeededEvent): Promise<SeededHistory> {
  const now = Date.now();
  const at = (daysAgo: number): Date => new Date(now - daysAgo * DAY_MS);
  const eventId = uuidv7();
  const status = event.status ?? ((event.runs ?? []).length > 0 ? 'dispatched' : 'unmatched');
  const body = JSON.stringify({ id: `seed_${eventId}`, type: 'order.created' });
  await db.query(
    `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, content_type, raw_body, payload, received_at, dispatched_at)
     VALUES ($1::uuid, $2, $1::text, 'order.created', $3, '{}', 'application/json', $4, $5, $6, $7)`,
    [eventId, source, status, Buffer.from(body), body, at(event.daysAgo), status === 'received' ? null : at(event.daysAgo)],
  );
  const runIds: string[] = [];
  const deadLetterIds: string[] = [];
  for (const [replay, run] of (event.runs ?? []).entries()) {
    const runId = uuidv7();
    const changed = at(run.daysAgo ?? event.daysAgo);
    const finished = run.status === 'succeeded' || run.status === 'failed' ? changed : null;
    const replayOf = run.replays === undefined ? null : (runIds[run.replays] ?? null);
    await db.query(
      `INSERT INTO runs (id, event_id, rule_id, rule_version, status, replay, replay_of, executions, created_at, updated_at, finished_at)
       VALUES ($1, $2, $3, 1, $4, $5, $6, 1, $7, $7, $8)`,
      [runId, eventId, rule, run.status, replay, replayOf, changed, finished],
    );
    const attempts = run.attempts ?? 1;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      await db.query(
        `INSERT INTO step_attempts (run_id, step_id, attempt, status, started_at, duration_ms) VALUES ($1, 'post', $2, $3, $4, 5)`,
        [runId, attempt, run.status === 'succeeded' && attempt === attempts ? 'succeeded' : 'failed', changed],
      );
    }
    if (run.deadLetter) deadLetterIds.push(await seedDeadLetter(db, eventId, rule, runId, changed, run.deadLetter, at));
    if (replayOf) await db.query(`UPDATE dead_letters SET replay_run_id = $1 WHERE run_id = $2`, [runId, replayOf]);
    runIds.push(runId);
  }
  return { eventId, runIds, deadLetterIds };
}

async function seedDeadLetter(
  db: Client,
  eventId: string,
  rule: string,
  runId: string,
  created: Date,
  deadLetter: SeededDeadLetter,
  at: (daysAgo: number) => Date,
): Promise<string> {
  const id = uuidv7();
  const resolvedAt = deadLetter.resolvedDaysAgo === undefined ? null : at(deadLetter.resolvedDaysAgo);
  await db.query(
    `INSERT INTO dead_letters (id, run_id, event_id, rule_id, step_id, cause, error, attempts, status, created_at, resolved_at)
     VALUES ($1, $2, $3, $4, 'post', 'destination_5xx', 'destination answered 503', '[]', $5, $6, $7)`,
    [id, runId, eventId, rule, deadLetter.status, created, resolvedAt],
  );
  return id;
}

/** How many rows of each table belong to the event (0 everywhere once it has been pruned). */
export async function historyRows(
  db: Client,
  eventId: string,
): Promise<{ events: number; runs: number; stepAttempts: number; deadLetters: number }> {
  const { rows } = await db.query<{ events: number; runs: number; step_attempts: number; dead_letters: number }>(
    `SELECT (SELECT count(*) FROM events WHERE id = $1)::int AS events,
            (SELECT count(*) FROM runs WHERE event_id = $1)::int AS runs,
            (SELECT count(*) FROM step_attempts a JOIN runs r ON r.id = a.run_id WHERE r.event_id = $1)::int AS step_attempts,
            (SELECT count(*) FROM dead_letters WHERE event_id = $1)::int AS dead_letters`,
    [eventId],
  );
  const row = rows[0];
  return { events: row?.events ?? 0, runs: row?.runs ?? 0, stepAttempts: row?.step_attempts ?? 0, deadLetters: row?.dead_letters ?? 0 };
}
