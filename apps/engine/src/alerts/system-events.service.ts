import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { AlertSignalsRepository, EventsRepository, SYSTEM_SOURCE_ID } from '@hookflow/persistence';
import { EVENT_JOB_OPTIONS, EVENTS_QUEUE, EventJob, eventJobId, withTimeout } from '@hookflow/queue';
import { HookflowMetrics } from '@hookflow/telemetry';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { RuleRegistry } from '../rules/rule-registry.service';
import { coalescingKey, coalescingWindow, oppositeKind, SystemAlert } from './system-alert';

/** What became of an alert: `unobserved` when no enabled rule names `hookflow` (nothing is stored). */
export type EmitOutcome = 'emitted' | 'coalesced' | 'unobserved' | 'failed';

/** The longest queueing may take; past it the outbox sweeper queues the stored event. */
const QUEUE_TIMEOUT_MS = 2_000;

/**
 * Puts Hookflow's own events into its own pipeline: stored as events of the built-in `hookflow`
 * source, exactly as ingest stores a delivery, then queued for dispatch (an event stored but not
 * queued is queued by ingest's outbox sweeper). At most one per type and subject per
 * HOOKFLOW_ALERT_WINDOW: the idempotency key names the window, so a second is a duplicate. A
 * problem and its end (dead-lettered and recovered, circuit opened and closed) are coalesced only
 * since the subject last changed state: the key also counts the opposite kind's events of the
 * window, read from the events table, so every engine process computes the same key.
 */
@Injectable()
export class SystemEvents {
  private readonly logger = new Logger(SystemEvents.name);

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly events: EventsRepository,
    private readonly signals: AlertSignalsRepository,
    private readonly rules: RuleRegistry,
    private readonly metrics: HookflowMetrics,
    @InjectQueue(EVENTS_QUEUE) private readonly eventsQueue: Queue<EventJob>,
  ) {}

  /** Whether an alert would be stored now: callers skip the work of building one when not. */
  get observed(): boolean {
    return this.rules.hasSystemRules();
  }

  /**
   * Stores and queues one alert. Never throws: an alert is worth less than the work it reports on
   * (a run being dead-lettered, a circuit opening), so a failure here is logged and counted only.
   */
  async emit(alert: SystemAlert, now = new Date()): Promise<EmitOutcome> {
    if (!this.observed) return 'unobserved';
    const { windowMs } = this.config.alerts;
    const window = coalescingWindow(now, windowMs);
    const payload = {
      type: alert.type,
      ...alert.payload,
      occurredAt: now.toISOString(),
      window: { start: window.start.toISOString(), end: window.end.toISOString() },
    };
    const id = uuidv7();
    try {
      const [stored] = await this.events.insertIfAbsent([
        {
          id,
          sourceId: SYSTEM_SOURCE_ID,
          idempotencyKey: await this.keyOf(alert, now, windowMs),
          type: alert.type,
          headers: {},
          contentType: 'application/json',
          rawBody: Buffer.from(JSON.stringify(payload)),
          payload,
          receivedAt: now,
        },
      ]);
      if (stored?.duplicate) {
        this.metrics.recordSystemEvent(alert.type, 'coalesced');
        return 'coalesced';
      }
    } catch (error) {
      this.metrics.recordSystemEvent(alert.type, 'failed');
      this.logger.warn(`could not store system event ${alert.type} (${alert.subject}): ${(error as Error).message}`);
      return 'failed';
    }
    this.metrics.recordSystemEvent(alert.type, 'emitted');
    this.logger.log(`system event ${alert.type}: ${alert.payload.summary}`);
    await withTimeout(
      this.eventsQueue.add('event', { eventId: id }, { ...EVENT_JOB_OPTIONS, jobId: eventJobId(id) }),
      QUEUE_TIMEOUT_MS,
      'Redis',
    ).catch((error: unknown) => {
      this.logger.warn(`system event ${id} stored but not queued (the outbox sweeper will queue it): ${(error as Error).message}`);
    });
    return 'emitted';
  }

  /**
   * The coalescing key, counting the subject's reversals in the window for a kind that has an
   * opposite (one small indexed read). An emission that counts before another engine's opposite
   * event commits is coalesced or stored as if it had come first: one order or the other.
   */
  private async keyOf(alert: SystemAlert, now: Date, windowMs: number): Promise<string> {
    const opposite = oppositeKind(alert.type);
    if (!opposite) return coalescingKey(alert, now, windowMs);
    const reversals = await this.signals.countSystemEvents(
      opposite,
      coalescingKey({ type: opposite, subject: alert.subject }, now, windowMs),
      coalescingWindow(now, windowMs),
    );
    return coalescingKey(alert, now, windowMs, reversals);
  }
}
