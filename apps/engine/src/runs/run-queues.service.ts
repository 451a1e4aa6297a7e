import { REPLAY_JOB_OPTIONS, REPLAYS_QUEUE, RUN_JOB_OPTIONS, runJobId, RunJob, runQueueOf, RUNS_QUEUE } from '@hookflow/queue';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';

/** A run as far as queueing it goes: its id, and whether it is a replay. */
export interface QueueableRun {
  id: string;
  replay: number;
}

/**
 * The queues that execute runs, and which one a run's jobs go to: dispatched runs on `runs`,
 * replays on `replays`, first tries and retries alike (`runQueueOf`).
 */
@Injectable()
export class RunQueues {
  constructor(
    @InjectQueue(RUNS_QUEUE) private readonly runs: Queue<RunJob>,
    @InjectQueue(REPLAYS_QUEUE) private readonly replays: Queue<RunJob>,
  ) {}

  /** Both queues. */
  all(): Queue<RunJob>[] {
    return [this.runs, this.replays];
  }

  /** Queues the `execution`-th try of a run on its queue, after `delayMs`; a no-op while that job exists. */
  async add(run: QueueableRun, execution: number, delayMs = 0): Promise<void> {
    const replay = runQueueOf(run) === REPLAYS_QUEUE;
    await (replay ? this.replays : this.runs).add(
      'run',
      { runId: run.id, execution },
      { ...(replay ? REPLAY_JOB_OPTIONS : RUN_JOB_OPTIONS), jobId: runJobId(run.id, execution), delay: delayMs },
    );
  }
}
