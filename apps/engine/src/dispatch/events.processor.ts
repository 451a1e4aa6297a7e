import { EVENTS_QUEUE, EventJob } from '@hookflow/queue';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { EventDispatchService } from './event-dispatch.service';

/** Thin adapter: an `events` job dispatches one event. An error fails the job, and BullMQ retries it. */
@Processor(EVENTS_QUEUE)
export class EventsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly dispatcher: EventDispatchService,
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.engine.concurrency;
  }

  async process(job: Job<EventJob>): Promise<void> {
    await this.dispatcher.dispatch(job.data.eventId);
  }
}
