import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { PrunedRows, RetentionRepository, RetentionSession, TimePosition } from '@hookflow/persistence';
import { HookflowMetrics } from '@hookflow/telemetry';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

/** The first pass comes this soon after start-up (or after one interval, if shorter): an engine restarted often still prunes. */
const FIRST_PASS_DELAY_MS = 60_000;
/** The longest shutdown waits for the batch in progress (each batch gives up on a lock after 5 s). */
const SHUTDOWN_WAIT_MS = 10_000;

/** What one pass did. */
export interface RetentionPass {
  /** Events received before this were looked at. */
  cutoff: Date;
  pruned: PrunedRows;
  /** Events older than the cut-off that were kept: not dispatched, a run unfinished, a dead letter pending, or activity since. */
  kept: number;
  batches: number;
  milliseconds: number;
}

/**
 * Deletes old history so the database does not grow for ever (docs/operations.md, "Retention"):
 * every HOOKFLOW_RETENTION_INTERVAL, the events received more than HOOKFLOW_RETENTION_EVENTS ago,
 * with their runs, step attempts and settled dead letters, oldest first, HOOKFLOW_RETENTION_BATCH
 * events per short transaction. An event whose history is still open (a pending dead letter, a run
 * not finished) is kept whole, however old. Every engine runs this, and one at a time prunes: the
 * others find the advisory lock taken and skip the round.
 */
@Injectable()
export class RetentionPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionPruner.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private running?: Promise<RetentionPass | undefined>;
  private stopping = false;

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly retention: RetentionRepository,
    private readonly metrics: HookflowMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const { eventsMs, intervalMs } = this.config.retention;
    if (eventsMs === undefined) {
      this.logger.log('retention: off (HOOKFLOW_RETENTION_EVENTS=off), events and their runs are kept for ever');
      return;
    }
    const tick = (): void => {
      if (!this.running) void this.prune();
    };
    this.timers.push(setTimeout(tick, Math.min(intervalMs, FIRST_PASS_DELAY_MS)), setInterval(tick, intervalMs));
    for (const timer of this.timers) timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)));
    await Promise.race([this.running, bound]).finally(() => clearTimeout(timer));
  }

  /**
   * A whole pass, started once any pass in progress has ended. Undefined when retention is off,
   * when another engine is pruning, or when the pass failed (logged; the next one carries on).
   */
  async prune(): Promise<RetentionPass | undefined> {
    while (this.running) await this.running;
    this.running = this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<RetentionPass | undefined> {
    const { eventsMs, batchSize } = this.config.retention;
    if (eventsMs === undefined || this.stopping) return undefined;
    const started = Date.now();
    const cutoff = new Date(started - eventsMs);
    const done: RetentionPass = { cutoff, pruned: noRows(), kept: 0, batches: 0, milliseconds: 0 };
    let session: RetentionSession | undefined;
    try {
      session = await this.retention.lockPruning();
      if (!session) {
        this.logger.debug('retention: another engine is pruning; skipping this round');
        return undefined;
      }
      let after: TimePosition | undefined;
      do {
        const batch = await session.pruneBatch(cutoff, after, batchSize);
        this.count(done, batch.pruned, batch.examined);
        after = batch.next;
      } while (after && !this.stopping);
      done.milliseconds = Date.now() - started;
      if (done.pruned.events > 0) this.logger.log(describePass(done));
      return done;
    } catch (error) {
      if (done.pruned.events > 0) this.logger.log(describePass({ ...done, milliseconds: Date.now() - started }));
      this.logger.warn(`retention: pass failed, the next one carries on: ${(error as Error).message}`);
      return undefined;
    } finally {
      await session
        ?.release()
        .catch((error: unknown) => this.logger.warn(`retention: could not release the lock: ${(error as Error).message}`));
    }
  }

  /** Counted batch by batch, so a pass that fails half-way still reports what it deleted. */
  private count(pass: RetentionPass, pruned: PrunedRows, examined: number): void {
    pass.batches += 1;
    pass.kept += examined - pruned.events;
    pass.pruned = addRows(pass.pruned, pruned);
    this.metrics.recordPruned('events', pruned.events);
    this.metrics.recordPruned('runs', pruned.runs);
    this.metrics.recordPruned('step_attempts', pruned.stepAttempts);
    this.metrics.recordPruned('dead_letters', pruned.deadLetters);
  }
}

/** The log line of a pass that deleted something. */
export function describePass(pass: RetentionPass): string {
  const { events, runs, stepAttempts, deadLetters } = pass.pruned;
  const seconds = (pass.milliseconds / 1000).toFixed(1);
  const kept = pass.kept > 0 ? `; kept ${pass.kept} older event(s) whose runs or dead letters are still open or recent` : '';
  return (
    `retention: pruned ${events} event(s) received before ${pass.cutoff.toISOString()}, with ${runs} run(s), ` +
    `${stepAttempts} step attempt(s) and ${deadLetters} settled dead letter(s), in ${pass.batches} batch(es), ${seconds} s${kept}`
  );
}

export function addRows(a: PrunedRows, b: PrunedRows): PrunedRows {
  return {
    events: a.events + b.events,
    runs: a.runs + b.runs,
    stepAttempts: a.stepAttempts + b.stepAttempts,
    deadLetters: a.deadLetters + b.deadLetters,
  };
}

function noRows(): PrunedRows {
  return { events: 0, runs: 0, stepAttempts: 0, deadLetters: 0 };
}
