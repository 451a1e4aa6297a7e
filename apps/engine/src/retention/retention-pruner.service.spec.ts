import { loadConfig } from '@hookflow/config';
import { PrunedRows, RetentionBatch, RetentionRepository, RetentionSession, TimePosition } from '@hookflow/persistence';
import { HookflowMetrics } from '@hookflow/telemetry';
import { Logger } from '@nestjs/common';
import { describePass, RetentionPruner } from './retention-pruner.service';

const DAY_MS = 86_400_000;

const rows = (events: number, runs = 0, stepAttempts = 0, deadLetters = 0): PrunedRows => ({ events, runs, stepAttempts, deadLetters });

/** A database of old events in pages: each batch answers the next page, or throws it. */
class FakeRetention {
  /** Where each batch was asked to start, and before which time. */
  readonly asked: { before: Date; after?: TimePosition; limit: number }[] = [];
  released = 0;
  lockedElsewhere = false;

  constructor(private readonly pages: (RetentionBatch | Error)[]) {}

  async lockPruning(): Promise<RetentionSession | undefined> {
    if (this.lockedElsewhere) return Promise.resolve(undefined);
    const session = {
      pruneBatch: (before: Date, after: TimePosition | undefined, limit: number): Promise<RetentionBatch> => {
        this.asked.push({ before, after, limit });
        const page = this.pages.shift() ?? { examined: 0, pruned: rows(0) };
        return page instanceof Error ? Promise.reject(page) : Promise.resolve(page);
      },
      release: (): Promise<void> => {
        this.released += 1;
        return Promise.resolve();
      },
    };
    return Promise.resolve(session as unknown as RetentionSession);
  }
}

function pruner(fake: FakeRetention, env: Record<string, string> = {}): { pruner: RetentionPruner; metrics: HookflowMetrics } {
  const metrics = new HookflowMetrics();
  const config = loadConfig({ NODE_ENV: 'test', HOOKFLOW_RETENTION_BATCH: '2', ...env });
  return { pruner: new RetentionPruner(config, fake as unknown as RetentionRepository, metrics), metrics };
}

async function pruned(metrics: HookflowMetrics, table: string): Promise<number | undefined> {
  const series = `hookflow_retention_pruned_rows_total{table="${table}"} `;
  const line = (await metrics.render()).split('\n').find((candidate) => candidate.startsWith(series));
  return line === undefined ? undefined : Number(line.slice(series.length));
}

describe('RetentionPruner', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('walks the old events batch after batch from where the last one stopped, adding up what it deleted and kept', async () => {
    const first = { at: '2026-10-01T00:00:00.000001Z', id: '0190a000-0000-7000-8000-000000000001' };
    const second = { at: '2026-10-02T00:00:00.000002Z', id: '0190a000-0000-7000-8000-000000000002' };
    const fake = new FakeRetention([
      { examined: 2, pruned: rows(2, 3, 5, 1), next: first },
      { examined: 2, pruned: rows(0), next: second },
      { examined: 1, pruned: rows(1, 1, 1, 0) },
    ]);
    const { pruner: subject, metrics } = pruner(fake);

    const pass = await subject.prune();

    expect(pass).toMatchObject({ pruned: rows(3, 4, 6, 1), kept: 2, batches: 3 });
    expect(fake.asked.map((batch) => batch.after)).toEqual([undefined, first, second]);
    expect(fake.asked.every((batch) => batch.limit === 2 && batch.before === pass?.cutoff)).toBe(true);
    expect(Date.now() - (pass?.cutoff.getTime() ?? 0)).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(Date.now() - (pass?.cutoff.getTime() ?? 0)).toBeLessThan(30 * DAY_MS + 5_000);
    expect(fake.released).toBe(1);
    expect(await pruned(metrics, 'events')).toBe(3);
    expect(await pruned(metrics, 'runs')).toBe(4);
    expect(await pruned(metrics, 'step_attempts')).toBe(6);
    expect(await pruned(metrics, 'dead_letters')).toBe(1);
  });

  it('skips the round while another engine holds the lock', async () => {
    const fake = new FakeRetention([{ examined: 1, pruned: rows(1) }]);
    fake.lockedElsewhere = true;

    expect(await pruner(fake).pruner.prune()).toBeUndefined();
    expect(fake.asked).toHaveLength(0);
  });

  it('gives the lock back when a batch fails, and still counts what the batches before it deleted', async () => {
    const next = { at: '2026-10-01T00:00:00.000001Z', id: '0190a000-0000-7000-8000-000000000001' };
    const fake = new FakeRetention([{ examined: 2, pruned: rows(2, 2, 2, 0), next }, new Error('canceling statement due to lock timeout')]);
    const { pruner: subject, metrics } = pruner(fake);

    expect(await subject.prune()).toBeUndefined();
    expect(fake.released).toBe(1);
    expect(await pruned(metrics, 'events')).toBe(2);
  });

  it('runs one pass at a time: a second call waits for the first, then makes its own', async () => {
    const fake = new FakeRetention([
      { examined: 1, pruned: rows(1) },
      { examined: 1, pruned: rows(1) },
    ]);
    const { pruner: subject } = pruner(fake);

    const [one, two] = await Promise.all([subject.prune(), subject.prune()]);

    expect(one?.pruned.events).toBe(1);
    expect(two?.pruned.events).toBe(1);
    expect(fake.released).toBe(2);
  });

  it('deletes nothing when HOOKFLOW_RETENTION_EVENTS is off', async () => {
    const fake = new FakeRetention([{ examined: 1, pruned: rows(1) }]);

    expect(await pruner(fake, { HOOKFLOW_RETENTION_EVENTS: 'off' }).pruner.prune()).toBeUndefined();
    expect(fake.asked).toHaveLength(0);
  });

  it('says in one line what a pass deleted, from when, and what it kept', () => {
    const cutoff = new Date('2026-11-07T12:00:00.000Z');

    expect(describePass({ cutoff, pruned: rows(1200, 1300, 2600, 12), kept: 4, batches: 3, milliseconds: 1_250 })).toBe(
      'retention: pruned 1200 event(s) received before 2026-11-07T12:00:00.000Z, with 1300 run(s), 2600 step attempt(s) and ' +
        '12 settled dead letter(s), in 3 batch(es), 1.3 s; kept 4 older event(s) whose runs or dead letters are still open or recent',
    );
    expect(describePass({ cutoff, pruned: rows(1), kept: 0, batches: 1, milliseconds: 40 })).not.toContain('kept');
  });
});
