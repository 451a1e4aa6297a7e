import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { EVENTS_QUEUE, EventJob } from '@hookflow/queue';
import { continueTrace, HookflowAttributes, SpanKind } from '@hookflow/telemetry';
import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { Job } from 'bullmq';
import { EngineWorkerHost } from '../worker-host.base';
import { EventDispatchService } from './event-dispatch.service';

/**
 * Thin adapter: an `events` job dispatches one event, in a span that continues the ingest request's
 * trace. An error fails the job, and BullMQ retries it.
 */
@Processor(EVENTS_QUEUE)
export class EventsProcessor extends EngineWorkerHost {
  constructor(
    private readonly dispatcher: EventDispatchService,
    @Inject(HOOKFLOW_CONFIG) config: HookflowConfig,
  ) {
    super(config);
  }

  async process(job: Job<EventJob>): Promise<void> {
    const { eventId, trace } = job.data;
    const attributes = { [HookflowAttributes.EVENT_ID]: eventId };
    await continueTrace(trace, 'hookflow.dispatch', { kind: SpanKind.CONSUMER, attributes }, () => this.dispatcher.dispatch(eventId));
  }
}
