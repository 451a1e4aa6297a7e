import { createEngineApp } from '@hookflow/engine';
import { RetentionPruner } from '../../apps/engine/src/retention/retention-pruner.service';
import { BuiltApp } from '../support/built-app';
import { deliver, waitFor } from '../support/deliveries';
import { historyRows, seedHistory, SeededEvent } from '../support/history';
import { scrapeMetrics } from '../support/prometheus';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';
import { REDIS_URL } from '../support/test-env';

/** The advisory lock the pruner takes (libs/persistence, retention.repository.ts). */
const RETENTION_LOCK = 742_003;
const GONE = { events: 0, runs: 0, stepAttempts: 0, deadLetters: 0 };

/**
 * HOOKFLOW_RETENTION_EVENTS (30 days by default): history older than that is deleted, event by
 * event with everything it caused, unless some of it is still open (a dead letter waiting for an
 * operator, a run not finished) or recent.
 */
describe('retention', () => {
  let stack: TestStack;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start({
      rules: { 'shop.yaml': rulesFile([hmacSource('shop')], [httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}/x` }])]) },
      // Tiny batches, so a few events take several; no pass but the ones a test asks for; no outbox
      // sweep either, which would dispatch the seeded event left `received`.
      env: { HOOKFLOW_RETENTION_BATCH: '2', HOOKFLOW_RETENTION_INTERVAL: '1h', HOOKFLOW_SWEEP_INTERVAL: '1h' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const pruner = (): RetentionPruner => stack.engine!.get(RetentionPruner);
  const seed = (event: SeededEvent) => seedHistory(stack.db, 'shop', 'notify', event);
  const rowsOf = (eventId: string) => historyRows(stack.db, eventId);
  const engineUrl = (): string => {
    const address = stack.engine!.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the engine is not listening');
    return `http://127.0.0.1:${address.port}`;
  };

  it('deletes old settled events with their runs, step attempts and dead letters, and keeps what is open or recent', async () => {
    const succeeded = await seed({ daysAgo: 40, runs: [{ status: 'succeeded', attempts: 2 }] });
    const unmatched = await seed({ daysAgo: 45 });
    const resolvedLongAgo = await seed({
      daysAgo: 50,
      runs: [
        { status: 'failed', attempts: 3, deadLetter: { status: 'resolved', resolvedDaysAgo: 35 } },
        { status: 'succeeded', daysAgo: 35, replays: 0 },
      ],
    });
    const discarded = await seed({ daysAgo: 40, runs: [{ status: 'failed', deadLetter: { status: 'discarded' } }] });
    const pending = await seed({ daysAgo: 60, runs: [{ status: 'failed', attempts: 3, deadLetter: { status: 'pending' } }] });
    // Replayed, the replay failed too: its own dead letter waits, and the first one with it.
    const replayFailed = await seed({
      daysAgo: 40,
      runs: [
        { status: 'failed', deadLetter: { status: 'replayed' } },
        { status: 'failed', replays: 0, deadLetter: { status: 'pending' } },
      ],
    });
    const resolvedRecently = await seed({
      daysAgo: 40,
      runs: [
        { status: 'failed', deadLetter: { status: 'resolved', resolvedDaysAgo: 2 } },
        { status: 'succeeded', daysAgo: 2, replays: 0 },
      ],
    });
    const replayedYesterday = await seed({ daysAgo: 40, runs: [{ status: 'succeeded' }, { status: 'succeeded', daysAgo: 1 }] });
    const retrying = await seed({ daysAgo: 40, runs: [{ status: 'retrying' }] });
    const undispatched = await seed({ daysAgo: 40, status: 'received' });
    const recent = await seed({ daysAgo: 29, runs: [{ status: 'succeeded' }] });
    const delivered = await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET });
    expect(delivered.status).toBe(202);
    const liveEventId = String(delivered.body.eventId);
    await waitFor(async () => (await rowsOf(liveEventId)).stepAttempts === 1, 15_000, 'the live event to run');

    const pass = await pruner().prune();

    for (const gone of [succeeded, unmatched, resolvedLongAgo, discarded]) expect(await rowsOf(gone.eventId)).toEqual(GONE);
    expect(await rowsOf(pending.eventId)).toEqual({ events: 1, runs: 1, stepAttempts: 3, deadLetters: 1 });
    expect(await rowsOf(replayFailed.eventId)).toEqual({ events: 1, runs: 2, stepAttempts: 2, deadLetters: 2 });
    expect(await rowsOf(resolvedRecently.eventId)).toEqual({ events: 1, runs: 2, stepAttempts: 2, deadLetters: 1 });
    expect(await rowsOf(replayedYesterday.eventId)).toEqual({ events: 1, runs: 2, stepAttempts: 2, deadLetters: 0 });
    expect(await rowsOf(retrying.eventId)).toEqual({ events: 1, runs: 1, stepAttempts: 1, deadLetters: 0 });
    expect(await rowsOf(undispatched.eventId)).toEqual({ events: 1, runs: 0, stepAttempts: 0, deadLetters: 0 });
    expect(await rowsOf(recent.eventId)).toEqual({ events: 1, runs: 1, stepAttempts: 1, deadLetters: 0 });
    expect(await rowsOf(liveEventId)).toEqual({ events: 1, runs: 1, stepAttempts: 1, deadLetters: 0 });
    // 10 events older than 30 days, 2 a batch.
    expect(pass).toMatchObject({ pruned: { events: 4, runs: 4, stepAttempts: 7, deadLetters: 2 }, kept: 6, batches: 6 });
    expect(pass?.cutoff.getTime()).toBeCloseTo(Date.now() - 30 * 86_400_000, -4);

    const again = await pruner().prune();
    expect(again).toMatchObject({ pruned: GONE, kept: 6 });
  });

  it('counts what it deleted in /metrics', async () => {
    const before = await scrapeMetrics(engineUrl());
    const count = (table: string) => before.value(`hookflow_retention_pruned_rows_total{table="${table}"}`) ?? 0;
    await seed({ daysAgo: 31, runs: [{ status: 'succeeded', attempts: 2 }] });
    await seed({ daysAgo: 32, runs: [{ status: 'failed', deadLetter: { status: 'discarded' } }] });

    await pruner().prune();

    const after = await scrapeMetrics(engineUrl());
    expect(after.value('hookflow_retention_pruned_rows_total{table="events"}')).toBe(count('events') + 2);
    expect(after.value('hookflow_retention_pruned_rows_total{table="runs"}')).toBe(count('runs') + 2);
    expect(after.value('hookflow_retention_pruned_rows_total{table="step_attempts"}')).toBe(count('step_attempts') + 3);
    expect(after.value('hookflow_retention_pruned_rows_total{table="dead_letters"}')).toBe(count('dead_letters') + 1);
  });

  it('skips its round while another process holds the pruning lock', async () => {
    const old = await seed({ daysAgo: 40 });
    await stack.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
    try {
      expect(await pruner().prune()).toBeUndefined();
      expect((await rowsOf(old.eventId)).events).toBe(1);
    } finally {
      await stack.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
    }

    expect((await pruner().prune())?.pruned.events).toBe(1);
    expect((await rowsOf(old.eventId)).events).toBe(0);
  });

  it('works through a backlog batch after batch, stepping over the events it keeps', async () => {
    const kept = await seed({ daysAgo: 90, runs: [{ status: 'failed', deadLetter: { status: 'pending' } }] });
    await stack.query(
      `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, raw_body, received_at)
       SELECT gen_random_uuid(), 'shop', 'backlog-' || n, 'order.created', 'unmatched', '{}', '\\x00', now() - interval '60 days' - n * interval '1 minute'
         FROM generate_series(1, 301) AS n`,
    );

    const [counted] = await stack.query<{ old: number }>(
      `SELECT count(*)::int AS old FROM events WHERE received_at < now() - interval '30 days'`,
    );
    const old = counted?.old ?? 0;

    const pass = await pruner().prune();

    // Windows of 2 events, and a last one that finds no more.
    expect(pass).toMatchObject({ pruned: { events: 301 }, kept: old - 301, batches: Math.floor(old / 2) + 1 });
    expect(await stack.query(`SELECT count(*)::int AS n FROM events WHERE idempotency_key LIKE 'backlog-%'`)).toEqual([{ n: 0 }]);
    expect((await rowsOf(kept.eventId)).events).toBe(1);
  });

  it('prunes on its interval in any engine process, logging a line for a pass that deleted something', async () => {
    const old = await seed({ daysAgo: 40, runs: [{ status: 'succeeded', attempts: 2 }] });
    const engine = await BuiltApp.start('engine', {
      NODE_ENV: 'test',
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL,
      HOOKFLOW_REDIS_PREFIX: stack.redisPrefix,
      HOOKFLOW_RULES_DIR: stack.rulesDir,
      HOOKFLOW_RETENTION_INTERVAL: '1s',
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(async () => (await rowsOf(old.eventId)).events === 0, 15_000, 'the built engine to prune on its own');
      expect(await rowsOf(old.eventId)).toEqual(GONE);
      const line = await waitFor(() => engine.output.split('\n').find((text) => text.includes('retention: pruned 1 event(s)')));
      expect(JSON.parse(line)).toMatchObject({ level: 30, context: 'RetentionPruner' });
      expect(line).toContain('with 1 run(s), 2 step attempt(s) and 0 settled dead letter(s)');
    } finally {
      await engine.stop();
    }
  });

  it('deletes nothing when HOOKFLOW_RETENTION_EVENTS is off', async () => {
    const old = await seed({ daysAgo: 4000, runs: [{ status: 'succeeded' }] });
    const off = await createEngineApp(stack.config({ HOOKFLOW_RETENTION_EVENTS: 'off', HOOKFLOW_RETENTION_INTERVAL: '1s' }));
    try {
      await off.init();
      expect(await off.get(RetentionPruner).prune()).toBeUndefined();
      expect((await rowsOf(old.eventId)).events).toBe(1);
    } finally {
      await off.close();
    }
  });
});
