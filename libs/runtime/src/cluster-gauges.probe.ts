import { DeadLettersRepository } from '@hookflow/persistence';
import { EVENTS_QUEUE, EventJob, pingQueueRedis, REPLAYS_QUEUE, ReplayJob, RUNS_QUEUE, RunJob } from '@hookflow/queue';
import { HookflowMetrics, QUEUE_JOB_STATES } from '@hookflow/telemetry';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';

const REDIS_TIMEOUT_MS = 1_000;

/**
 * The gauges of state every process shares: jobs per queue and state, dead letters pending. Read
 * when /metrics is scraped (a few Redis counts and one indexed COUNT), so every app reports the
 * same numbers: aggregate them with max(), not sum().
 */
@Injectable()
export class ClusterGaugesProbe implements OnModuleInit {
  constructor(
    private readonly metrics: HookflowMetrics,
    private readonly deadLetters: DeadLettersRepository,
    @InjectQueue(EVENTS_QUEUE) private readonly events: Queue<EventJob>,
    @InjectQueue(RUNS_QUEUE) private readonly runs: Queue<RunJob>,
    @InjectQueue(REPLAYS_QUEUE) private readonly replays: Queue<ReplayJob>,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.readQueues());
    this.metrics.onScrape(() => this.readDeadLetters());
  }

  private async readQueues(): Promise<void> {
    await Promise.all(
      [this.events, this.runs, this.replays].map(async (queue: Queue) => {
        try {
          // A client that is reconnecting would hold the scrape until Redis is back: report nothing instead.
          await pingQueueRedis(queue, REDIS_TIMEOUT_MS);
          const counts = await queue.getJobCounts(...QUEUE_JOB_STATES);
          this.metrics.setQueueJobs(queue.name, {
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            failed: counts.failed ?? 0,
          });
        } catch {
          this.metrics.setQueueJobs(queue.name, undefined);
        }
      }),
    );
  }

  private async readDeadLetters(): Promise<void> {
    this.metrics.setDeadLettersPending(await this.deadLetters.countPending().catch(() => undefined));
  }
}
