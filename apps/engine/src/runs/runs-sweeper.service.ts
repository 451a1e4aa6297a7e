import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { AbandonedRun, RunRecoveryRepository, RunsRepository, StrandedRun } from '@hookflow/persistence';
import { pingQueueRedis, RunJob, runJobId, STALLED_TOO_OFTEN } from '@hookflow/queue';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { RunExecutor } from './run-executor.service';
import { RunQueues } from './run-queues.service';

type SweptRun = StrandedRun | AbandonedRun;

/** Runs read per pass; passes walk on from where the last one stopped, so every one is seen in turn. */
const SWEEP_BATCH = 500;
/** A pass starts only when Redis answers within this: the engine's clients would wait for it for ever. */
const REDIS_TIMEOUT_MS = 1_000;
/** The longest shutdown waits for a pass in progress. */
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Queues again the runs whose job is missing, so that no committed run waits for ever (DESIGN: the
 * queue can be rebuilt from PostgreSQL): pending runs no worker took up within HOOKFLOW_SWEEP_GRACE
 * of being made (a crash between the commit and the enqueue, Redis losing its data), retrying
 * runs whose next try is overdue by as much (their delayed job lost), and running runs untouched
 * for as long (an engine killed mid-run whose job was then lost with Redis's data, or failed).
 * A running run whose job is still active is left to BullMQ's stalled check, which gives the job
 * of a dead engine to another (see STALLED_JOB_SETTINGS in libs/queue).
 *
 * Most such runs still have their job, waiting behind others, so each job is looked up by its
 * deterministic id (`<run id>-<executions>`, in both run queues) and left alone while it is queued,
 * delayed or running. A job that is gone is added again, on the run's own queue. A job that
 * finished while its run did not (it used up its platform retries and the run could not be closed
 * either) is retried, since BullMQ would ignore an add with its id for as long as it keeps it.
 *
 * Every engine sweeps, and that is harmless: adding an id that exists is a no-op in BullMQ, and
 * retrying a job that is no longer finished fails and is ignored.
 */
@Injectable()
export class RunsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunsSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;
  /** The last run id the previous pass read, when it read a full batch: of pending and retrying runs, of running ones. */
  private after?: string;
  private afterRunning?: string;

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly runs: RunsRepository,
    private readonly recovery: RunRecoveryRepository,
    private readonly queues: RunQueues,
    private readonly executor: RunExecutor,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.sweep.intervalMs);
    this.timer.unref();
  }

  /** Before the pool and the queues close: no new pass, and the one in progress finishes (bounded). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)));
    await Promise.race([this.sweeping, bound]).finally(() => clearTimeout(timer));
  }

  /** One pass; returns how many runs it queued again. Never runs twice at once. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    try {
      await Promise.all(this.queues.all().map((queue) => pingQueueRedis(queue, REDIS_TIMEOUT_MS)));
      const overdue = new Date(Date.now() - this.config.sweep.graceMs);
      const stranded = await this.runs.strandedRuns({ pendingSince: overdue, dueBefore: overdue, after: this.after, limit: SWEEP_BATCH });
      this.after = stranded.length < SWEEP_BATCH ? undefined : stranded[stranded.length - 1]?.id;
      const abandoned = await this.recovery.abandonedRuns({ untouchedSince: overdue, after: this.afterRunning, limit: SWEEP_BATCH });
      this.afterRunning = abandoned.length < SWEEP_BATCH ? undefined : abandoned[abandoned.length - 1]?.id;
      const batch: SweptRun[] = [...stranded, ...abandoned];
      const requeued = (await Promise.all(batch.map((run) => this.requeue(run)))).filter(Boolean).length;
      if (requeued > 0) this.logger.warn(`runs sweeper: queued ${requeued} run(s) again whose job was lost or had failed`);
      return requeued;
    } catch (error) {
      this.logger.warn(`runs sweep failed, will retry: ${(error as Error).message}`);
      return 0;
    }
  }

  /** Returns true when it queued the run's job again. */
  private async requeue(run: SweptRun): Promise<boolean> {
    const execution = Math.max(run.executions, 1); // a pending run waits for its first execution
    const jobId = runJobId(run.id, execution);
    // Both queues: a run's jobs normally keep to its own, but one queued before replays had a queue
    // of their own is on `runs`, and a second job of the same execution elsewhere could run it twice at once.
    for (const queue of this.queues.all()) {
      const state = await queue.getJobState(jobId);
      if (state === 'unknown') continue;
      if (state === 'completed' || state === 'failed') return this.retry(queue, jobId, state, run);
      return false; // waiting, delayed or running: it will come
    }
    await this.queues.add(run, execution);
    this.logger.log(`runs sweeper: run ${run.id} (${run.status}) had no job ${jobId}; queued it again`);
    return true;
  }

  private async retry(queue: Queue<RunJob>, jobId: string, state: 'completed' | 'failed', run: SweptRun): Promise<boolean> {
    const job = await queue.getJob(jobId);
    if (!job) return false; // removed meanwhile: the next pass adds it
    if (state === 'failed' && run.status === 'running' && STALLED_TOO_OFTEN.test(job.failedReason ?? '')) {
      // Every engine that ran it died: most likely it is what kills them. Reviewable and replayable, not retried.
      await this.executor.giveUp(
        run.id,
        new Error(`its job stalled ${job.stalledCounter} times: the engines running it stopped each time`),
      );
      this.logger.warn(`runs sweeper: run ${run.id} dead-lettered: its job ${jobId} stalled too often`);
      return false;
    }
    try {
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch (error) {
      // Another engine retried it first, or it moved on: nothing to do.
      this.logger.debug(`runs sweeper: job ${jobId} could not be retried: ${(error as Error).message}`);
      return false;
    }
    this.logger.log(`runs sweeper: run ${run.id} (${run.status}) had its job ${jobId} ${state}; retried it`);
    return true;
  }
}
