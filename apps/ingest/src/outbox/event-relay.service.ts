import { EVENT_JOB_OPTIONS, EVENTS_QUEUE, EventJob, eventJobId, withTimeout } from '@hookflow/queue';
import { BatcherFullError, MicroBatcher } from '@hookflow/batching';
import { currentTraceCarrier } from '@hookflow/telemetry';
import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';

/** Jobs per addBulk (one Redis round trip, one MULTI). */
const MAX_BATCH = 500;
/** Event ids held for the queue; past this they are left to the outbox sweeper. */
const MAX_PENDING = 50_000;
/** The longest one addBulk may take; past it the sweeper takes over those events. */
const ADD_TIMEOUT_MS = 2_000;
/** The shortest time between two warnings about events left to the sweeper. */
const NOT_QUEUED_REPORT_INTERVAL_MS = 10_000;
/** The longest shutdown waits for queued ids to reach Redis. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

/**
 * The outbox relay: queues committed events on BullMQ in bulk, off the request path. The events
 * table is the outbox: an event is `received` until an engine dispatches it, so an id this relay
 * never gets to Redis (Redis away, the process killed) is queued by the {@link OutboxSweeper}
 * after HOOKFLOW_SWEEP_GRACE. Each job carries the trace context of the request that committed it.
 */
@Injectable()
export class EventRelay implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventRelay.name);
  private readonly batcher: MicroBatcher<EventJob, void>;
  private notQueued = 0;
  private reportedAt = 0;

  constructor(@InjectQueue(EVENTS_QUEUE) eventsQueue: Queue<EventJob>) {
    this.batcher = new MicroBatcher({
      run: async (jobs) => {
        await withTimeout(
          eventsQueue.addBulk(
            jobs.map((data) => ({ name: 'event', data, opts: { ...EVENT_JOB_OPTIONS, jobId: eventJobId(data.eventId) } })),
          ),
          ADD_TIMEOUT_MS,
          'Redis',
        );
        return jobs.map(() => undefined);
      },
      maxBatch: MAX_BATCH,
      maxConcurrent: 1,
      maxPending: MAX_PENDING,
    });
  }

  /** Returns at once; the jobs are added in the background. */
  relay(eventIds: string[]): void {
    if (eventIds.length === 0) return;
    const trace = currentTraceCarrier();
    const jobs = eventIds.map((eventId): EventJob => (trace ? { eventId, trace } : { eventId }));
    this.batcher.submit(jobs).catch((error: unknown) => {
      this.noteNotQueued(eventIds.length, error instanceof BatcherFullError ? 'too many are waiting for Redis' : (error as Error).message);
    });
  }

  /** One warning per interval while Redis is away, not one per failed batch. */
  private noteNotQueued(count: number, why: string): void {
    this.notQueued += count;
    if (Date.now() - this.reportedAt < NOT_QUEUED_REPORT_INTERVAL_MS) return;
    this.logger.warn(`${this.notQueued} committed event(s) not queued (the outbox sweeper will queue them): ${why}`);
    this.notQueued = 0;
    this.reportedAt = Date.now();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await withTimeout(this.batcher.drained(), SHUTDOWN_TIMEOUT_MS, 'the outbox relay').catch(() => {
      this.logger.warn('shutting down with events not yet queued; the outbox sweeper will queue them');
    });
  }
}
