import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { EventsRepository } from '@hookflow/persistence';
import { EVENT_JOB_OPTIONS, EVENTS_QUEUE, EventJob, eventJobId } from '@hookflow/queue';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';

const SWEEP_BATCH = 500;

/**
 * Enqueues committed events that no engine has dispatched after HOOKFLOW_SWEEP_GRACE: those whose
 * enqueue failed (Redis away) or whose job was lost. Job ids are event ids, so an event whose job
 * is still queued is not queued twice; runs are unique per (event, rule) in any case.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly events: EventsRepository,
    @InjectQueue(EVENTS_QUEUE) private readonly eventsQueue: Queue<EventJob>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.sweep.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; returns how many events it enqueued. Never runs twice at once. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    try {
      const ids = await this.events.undispatchedIds(new Date(Date.now() - this.config.sweep.graceMs), SWEEP_BATCH);
      if (ids.length === 0) return 0;
      await this.eventsQueue.addBulk(
        ids.map((eventId) => ({ name: 'event', data: { eventId }, opts: { ...EVENT_JOB_OPTIONS, jobId: eventJobId(eventId) } })),
      );
      this.logger.log(`outbox: queued ${ids.length} committed event(s) that had no job`);
      return ids.length;
    } catch (error) {
      this.logger.warn(`outbox sweep failed, will retry: ${(error as Error).message}`);
      return 0;
    }
  }
}
