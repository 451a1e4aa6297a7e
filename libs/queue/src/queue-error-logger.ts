import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EVENTS_QUEUE, EventJob, REPLAYS_QUEUE, ReplayJob, RUNS_QUEUE, RunJob } from './queues';

/** Connection trouble is expected (Redis restarts); log it once per outage instead of per retry. */
const QUIET_PERIOD_MS = 10_000;

/**
 * Listens to the queues' `error` events (an EventEmitter without a listener would throw them)
 * and logs them, at most once per quiet period.
 */
@Injectable()
export class QueueErrorLogger implements OnApplicationBootstrap {
  private readonly logger = new Logger('Queue');
  private lastLoggedAt = 0;

  constructor(
    @InjectQueue(EVENTS_QUEUE) private readonly events: Queue<EventJob>,
    @InjectQueue(RUNS_QUEUE) private readonly runs: Queue<RunJob>,
    @InjectQueue(REPLAYS_QUEUE) private readonly replays: Queue<ReplayJob>,
  ) {}

  onApplicationBootstrap(): void {
    for (const queue of [this.events, this.runs, this.replays]) queue.on('error', (error) => this.log(queue.name, error));
  }

  private log(queue: string, error: Error): void {
    if (Date.now() - this.lastLoggedAt < QUIET_PERIOD_MS) return;
    this.lastLoggedAt = Date.now();
    this.logger.warn(`queue ${queue}: ${error.message} (Redis unreachable? retrying)`);
  }
}
