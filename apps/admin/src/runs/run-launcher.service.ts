import { ReplaysRepository } from '@hookflow/persistence';
import { RUN_JOB_OPTIONS, RUNS_QUEUE, RunJob, runJobId } from '@hookflow/queue';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { ApiError } from '../errors/api-error';

/** The longest a request waits for Redis to take the jobs of new runs. */
const ENQUEUE_TIMEOUT_MS = 5_000;

/**
 * Queues the first execution of runs an operator made (replays), exactly as dispatch queues new
 * runs: job `<run id>-1` on the runs queue, which the engine executes. Nothing re-queues a pending
 * run later, so when the queue cannot take the jobs the runs are taken back (deleted, their dead
 * letters pending again) and the caller gets a 503: a replay is either queued or not made.
 */
@Injectable()
export class RunLauncher {
  private readonly logger = new Logger(RunLauncher.name);

  constructor(
    private readonly replays: ReplaysRepository,
    @InjectQueue(RUNS_QUEUE) private readonly runsQueue: Queue<RunJob>,
  ) {}

  async launch(runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    try {
      await withTimeout(
        this.runsQueue.addBulk(
          runIds.map((runId) => ({ name: 'run', data: { runId, execution: 1 }, opts: { ...RUN_JOB_OPTIONS, jobId: runJobId(runId, 1) } })),
        ),
        ENQUEUE_TIMEOUT_MS,
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
