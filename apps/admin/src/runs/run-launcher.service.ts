import { ReplaysRepository } from '@hookflow/persistence';
import { REPLAY_JOB_OPTIONS, REPLAYS_QUEUE, ReplayJob, runJobId, withTimeout } from '@hookflow/queue';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { ApiError } from '../errors/api-error';

/** The longest a request waits for Redis to take the jobs of new runs. */
const ENQUEUE_TIMEOUT_MS = 5_000;

/**
 * Queues the first execution of runs an operator made (replays, every one of them): job
 * `<run id>-1` on the replays queue, which engines execute at their own concurrency and rate, apart
 * from live runs (`runQueueOf`). When the queue cannot take the jobs the runs are taken back
 * (deleted, their dead letters pending again) and the caller gets a 503: a replay is either queued
 * or not made. Runs committed without their job for any other reason (a crash right after the
 * commit, Redis losing data) are queued by the engine's runs sweeper after HOOKFLOW_SWEEP_GRACE.
 */
@Injectable()
export class RunLauncher {
  private readonly logger = new Logger(RunLauncher.name);

  constructor(
    private readonly replays: ReplaysRepository,
    @InjectQueue(REPLAYS_QUEUE) private readonly replaysQueue: Queue<ReplayJob>,
  ) {}

  async launch(runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    try {
      await withTimeout(
        this.replaysQueue.addBulk(
          runIds.map((runId) => ({
            name: 'run',
            data: { runId, execution: 1 },
            opts: { ...REPLAY_JOB_OPTIONS, jobId: runJobId(runId, 1) },
          })),
        ),
        ENQUEUE_TIMEOUT_MS,
        'Redis',
      );
    } catch (error) {
      const cancelled = await this.replays.cancelReplayRuns(runIds);
      this.logger.error(`could not queue ${runIds.length} replay run(s), took back ${cancelled.length}: ${(error as Error).message}`);
      throw new ApiError(
        503,
        'queue_unavailable',
        cancelled.length === runIds.length
          ? 'the run queue (Redis) is unavailable, so nothing was replayed; try again later'
          : `the run queue (Redis) is unavailable; ${cancelled.length} of ${runIds.length} replay run(s) were taken back, the others had already started`,
      );
    }
  }
}
