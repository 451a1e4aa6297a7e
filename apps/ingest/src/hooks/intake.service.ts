import { deliveryIdempotencyKey } from '@hookflow/idempotency';
import { EventsRepository, isDatabaseUnavailable } from '@hookflow/persistence';
import { EVENT_JOB_OPTIONS, EVENTS_QUEUE, EventJob, eventJobId } from '@hookflow/queue';
import { ExpressionContext } from '@hookflow/rules';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { ActiveSource, SourceRegistry } from '../sources/source-registry.service';
import { IngestRejection } from './ingest-rejection';
import { parsePayload } from './payload-parser';

export interface Delivery {
  sourceId: string;
  rawBody: Buffer;
  /** Names lower-cased. */
  headers: Record<string, string>;
  url: string;
  receivedAt: Date;
}

export interface IntakeAnswer {
  status: 200 | 202;
  body: { eventId: string; duplicate?: true };
}

/** Seconds a provider should wait before retrying when PostgreSQL cannot take events. */
const DATABASE_RETRY_AFTER_SECONDS = '5';
/** The longest a request waits for Redis after its commit; past it the sweeper takes over. */
const ENQUEUE_TIMEOUT_MS = 1_000;

/**
 * The ingest path: verify the raw bytes, parse, derive type and idempotency key, commit, enqueue.
 * A 2xx is only ever answered after the commit (DESIGN.md, durability rule).
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger(IntakeService.name);

  constructor(
    private readonly sources: SourceRegistry,
    private readonly events: EventsRepository,
    @InjectQueue(EVENTS_QUEUE) private readonly eventsQueue: Queue<EventJob>,
  ) {}

  async accept(delivery: Delivery): Promise<IntakeAnswer> {
    const source = this.sources.get(delivery.sourceId);
    if (!source) throw new IngestRejection(404, 'unknown_source', `no enabled source "${delivery.sourceId}"`);
    this.verify(source, delivery);
    const payload = parsePayload(delivery.rawBody, delivery.headers['content-type']);
    const context: ExpressionContext = {
      event: { source: delivery.sourceId, receivedAt: delivery.receivedAt.toISOString(), headers: delivery.headers },
      payload,
    };
    const [type, idempotencyKey] = await Promise.all([
      eventTypeOf(source, context),
      deliveryIdempotencyKey(source.idempotencyKey, context, delivery.rawBody),
    ]);
    const stored = await this.commit({
      id: uuidv7(),
      sourceId: delivery.sourceId,
      idempotencyKey,
      type,
      headers: delivery.headers,
      contentType: delivery.headers['content-type'] ?? null,
      rawBody: delivery.rawBody,
      payload,
      receivedAt: delivery.receivedAt,
    });
    if (stored.duplicate) return { status: 200, body: { eventId: stored.eventId, duplicate: true } };
    await this.enqueue(stored.eventId);
    return { status: 202, body: { eventId: stored.eventId } };
  }

  private verify(source: ActiveSource, delivery: Delivery): void {
    const verdict = source.verifier.verify(
      { rawBody: delivery.rawBody, headers: delivery.headers, url: delivery.url, receivedAt: delivery.receivedAt },
      { id: source.record.id, provider: source.record.provider, secrets: source.record.secrets, settings: source.record.settings },
    );
    if (verdict.ok) return;
    this.logger.warn(
      { source: source.record.id, provider: source.record.provider, reason: verdict.reason, bodyBytes: delivery.rawBody.length },
      `rejected delivery: ${verdict.detail}`,
    );
    throw new IngestRejection(verdict.reason === 'ip_not_allowed' ? 403 : 401, verdict.reason, verdict.detail);
  }

  private async commit(event: Parameters<EventsRepository['insertIfAbsent']>[0]): ReturnType<EventsRepository['insertIfAbsent']> {
    try {
      return await this.events.insertIfAbsent(event);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      this.logger.error(`cannot commit event for source ${event.sourceId}, answering 503: ${(error as Error).message}`);
      throw new IngestRejection(503, 'database_unavailable', 'the event store is unavailable; retry later', {
        'retry-after': DATABASE_RETRY_AFTER_SECONDS,
      });
    }
  }

  /** Best effort: the event is committed, so if Redis is away the outbox sweeper enqueues it later. */
  private async enqueue(eventId: string): Promise<void> {
    try {
      await withTimeout(
        this.eventsQueue.add('event', { eventId }, { ...EVENT_JOB_OPTIONS, jobId: eventJobId(eventId) }),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (error) {
      this.logger.warn(`event ${eventId} committed but not queued (the outbox sweeper will queue it): ${(error as Error).message}`);
    }
  }
}

async function eventTypeOf(source: ActiveSource, context: ExpressionContext): Promise<string | null> {
  const value = await source.eventType.evaluate(context).catch(() => undefined);
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? String(value) : null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
