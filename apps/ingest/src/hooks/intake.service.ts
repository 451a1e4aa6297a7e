import { deliveryIdempotencyKey } from '@hookflow/idempotency';
import { isDatabaseUnavailable, NewEvent, StoredEvent } from '@hookflow/persistence';
import { ExpressionContext, isEvaluationTimeout } from '@hookflow/rules';
import { BatcherFullError } from '@hookflow/batching';
import { DeliveryRequest, VerifiableSource } from '@hookflow/verification';
import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { DeliveryRateLimiter } from '../guards/delivery-rate-limiter.service';
import { guardEvents } from '../guards/source-guards';
import { EventRelay } from '../outbox/event-relay.service';
import { RefusedDelivery, rejectionDiagnostics } from '../rejections/rejection-diagnostics';
import { ActiveSource, SourceRegistry } from '../sources/source-registry.service';
import { EventCommitter } from './event-committer.service';
import { IngestRejection } from './ingest-rejection';
import { parsePayload } from './payload-parser';

export interface Delivery {
  sourceId: string;
  rawBody: Buffer;
  /** Names lower-cased. */
  headers: Record<string, string>;
  /** The URL as the provider saw it (HOOKFLOW_PUBLIC_URL, or trusted forwarded headers). */
  url: string;
  /** The client address, taken from X-Forwarded-For only when the peer is a trusted proxy. */
  clientIp: string;
  receivedAt: Date;
}

export type IntakeBody =
  /** `ignored`: stored, but of a type its source does not allow, so nothing runs. */
  | { eventId: string; duplicate?: true; ignored?: true }
  /** A delivery that carried several events (SendGrid). */
  | { eventIds: string[]; duplicates: number; ignored?: number }
  /** A provider handshake's own answer (Slack url_verification). */
  | Record<string, unknown>;

export interface IntakeAnswer {
  status: number;
  body: IntakeBody;
}

/** Seconds a provider should wait before retrying when PostgreSQL cannot take events. */
const DATABASE_RETRY_AFTER_SECONDS = '5';
/** Events one delivery may carry (a SendGrid batch): past it, 413 rather than hold ingest for seconds. */
const MAX_EVENTS_PER_DELIVERY = 5_000;
/** Seconds to wait when more deliveries are waiting for a commit than ingest will hold. */
const OVERLOADED_RETRY_AFTER_SECONDS = '1';

/**
 * The ingest path: rate limit, allow-list, verify the raw bytes, parse, apply the provider's
 * conventions, derive type and idempotency key, guard (allowed types, schema), commit (grouped
 * with concurrent deliveries), hand the new events to the outbox relay. A 2xx is only ever
 * answered after the commit (DESIGN.md, durability rule); queueing happens after the answer.
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger(IntakeService.name);

  constructor(
    private readonly sources: SourceRegistry,
    private readonly committer: EventCommitter,
    private readonly relay: EventRelay,
    private readonly rateLimiter: DeliveryRateLimiter,
  ) {}

  async accept(delivery: Delivery): Promise<IntakeAnswer> {
    const source = this.sources.get(delivery.sourceId);
    if (!source) throw new IngestRejection(404, 'unknown_source', `no enabled source "${delivery.sourceId}"`);
    // The allow-list first: it is in memory, and an address it refuses must not take the tokens of
    // the source's bucket (a flood from outside it would otherwise starve the allowed senders).
    if (source.allowsIp && !source.allowsIp(delivery.clientIp)) {
      this.reject(source, delivery, 'ip_not_allowed', `client address ${delivery.clientIp} is not in the source's allowIps`, 403);
    }
    // Then the limit, before any verification work: a flood is refused for one Redis round trip.
    await this.rateLimiter.admit(source.record.id, delivery.clientIp, source.guards.rateLimit);
    this.verify(source, delivery);
    const { verifier } = source;
    const parsed = parsePayload(delivery.rawBody, delivery.headers['content-type']);
    const payload = verifier.normalize ? verifier.normalize(parsed) : parsed;
    const handshake = verifier.handshake?.(payload);
    if (handshake) return { status: handshake.status, body: handshake.body as Record<string, unknown> };
    const rawBody = verifier.rawBodyCarriesSecret ? Buffer.from(JSON.stringify(payload), 'utf8') : delivery.rawBody;
    const payloads = verifier.split ? verifier.split(payload) : [payload];
    if (payloads.length === 0) throw new IngestRejection(400, 'empty_batch', 'the delivery carries no events');
    if (payloads.length > MAX_EVENTS_PER_DELIVERY) {
      throw new IngestRejection(
        413,
        'too_many_events',
        `the delivery carries ${payloads.length} events; at most ${MAX_EVENTS_PER_DELIVERY} are accepted`,
      );
    }
    const events = await this.evaluating(() =>
      Promise.all(
        // Each element of a batch is stored, and keyed when it has no key of its own, by its own JSON:
        // the delivery's body is not each element's, and a copy per element would multiply its size.
        payloads.map((item) =>
          this.toEvent(source, delivery, item, payloads.length > 1 ? Buffer.from(JSON.stringify(item) ?? '') : rawBody),
        ),
      ),
    );
    const guarded = this.guarded(source, delivery, events);
    const stored = await this.commit(guarded);
    // An ignored event is never queued: the engine has nothing to do with it.
    this.relay.relay(
      stored.filter((event, index) => !event.duplicate && guarded[index]?.status !== 'ignored').map((event) => event.eventId),
    );
    return answerFor(stored, guarded);
  }

  private async toEvent(source: ActiveSource, delivery: Delivery, payload: unknown, rawBody: Buffer): Promise<NewEvent> {
    const headers = withoutCredentials(delivery.headers, source);
    const context: ExpressionContext = {
      event: { source: delivery.sourceId, receivedAt: delivery.receivedAt.toISOString(), headers },
      payload,
    };
    const [type, idempotencyKey] = await Promise.all([
      eventTypeOf(source, context),
      deliveryIdempotencyKey(source.idempotencyKey, context, rawBody),
    ]);
    return {
      id: uuidv7(),
      sourceId: delivery.sourceId,
      idempotencyKey,
      type,
      headers,
      contentType: delivery.headers['content-type'] ?? null,
      rawBody,
      payload,
      receivedAt: delivery.receivedAt,
    };
  }

  private verify(source: ActiveSource, delivery: Delivery): void {
    const request: DeliveryRequest = {
      rawBody: delivery.rawBody,
      headers: delivery.headers,
      url: delivery.url,
      receivedAt: delivery.receivedAt,
    };
    const verifiable: VerifiableSource = {
      id: source.record.id,
      provider: source.record.provider,
      secrets: source.secretsAt(delivery.receivedAt),
      settings: source.record.settings,
    };
    const verdict = source.verifier.verify(request, verifiable);
    if (verdict.ok) return;
    // Charged to the address's strict bucket: once it is empty, its deliveries are refused unverified.
    this.rateLimiter.chargeVerificationFailure(source.record.id, delivery.clientIp);
    this.reject(source, delivery, verdict.reason, verdict.detail, verdict.reason === 'ip_not_allowed' ? 403 : 401, {
      verdict,
      // The same check on other bytes: how the diagnostics find which re-serialisation was signed.
      reverify: (rawBody) => source.verifier.verify({ ...request, rawBody }, verifiable),
    });
  }

  /** Refuses the delivery; the rejection log gets its diagnostics (which verifier, header, body hash, skew, hint). */
  private reject(
    source: ActiveSource,
    delivery: Delivery,
    reason: string,
    detail: string,
    status: number,
    check: Pick<RefusedDelivery, 'verdict' | 'reverify'> = {},
  ): never {
    const diagnostics = rejectionDiagnostics({
      provider: source.record.provider,
      rawBody: delivery.rawBody,
      contentType: delivery.headers['content-type'],
      bodyCarriesSecret: source.verifier.rawBodyCarriesSecret,
      ...check,
    });
    this.logger.warn(
      {
        source: source.record.id,
        provider: source.record.provider,
        reason,
        bodyBytes: delivery.rawBody.length,
        clientIp: delivery.clientIp,
        ...(diagnostics.reserialisation ? { signedForm: diagnostics.reserialisation.signedForm } : {}),
      },
      `rejected delivery: ${detail}`,
    );
    throw new IngestRejection(status, reason, detail, { diagnostics });
  }

  /** The source's allowed types and schema; a refusal's log row also says what was received. */
  private guarded(source: ActiveSource, delivery: Delivery, events: NewEvent[]): NewEvent[] {
    try {
      return guardEvents(source.guards, events);
    } catch (error) {
      if (!(error instanceof IngestRejection)) throw error;
      const received = rejectionDiagnostics({
        provider: source.record.provider,
        rawBody: delivery.rawBody,
        contentType: delivery.headers['content-type'],
        bodyCarriesSecret: source.verifier.rawBodyCarriesSecret,
      });
      throw new IngestRejection(error.status, error.code, error.message, {
        headers: error.headers,
        details: error.details,
        diagnostics: { ...received, ...error.diagnostics },
      });
    }
  }

  /**
   * The source's type and key expressions ran out of time: the process is too busy to derive them
   * reliably, and storing the event without them (no type, a body hash for a key) would lose or
   * double it. The provider retries instead.
   */
  private async evaluating<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!isEvaluationTimeout(error)) throw error;
      throw new IngestRejection(503, 'ingest_overloaded', "ingest is too busy to evaluate the source's expressions; retry later", {
        headers: { 'retry-after': OVERLOADED_RETRY_AFTER_SECONDS },
      });
    }
  }

  private async commit(events: NewEvent[]): Promise<StoredEvent[]> {
    try {
      return await this.committer.commit(events);
    } catch (error) {
      if (error instanceof BatcherFullError) {
        throw new IngestRejection(503, 'ingest_overloaded', 'too many deliveries are waiting to be stored; retry later', {
          headers: { 'retry-after': OVERLOADED_RETRY_AFTER_SECONDS },
        });
      }
      if (!isDatabaseUnavailable(error)) throw error;
      this.logger.error(`cannot commit events for source ${events[0]?.sourceId}, answering 503: ${(error as Error).message}`);
      throw new IngestRejection(503, 'database_unavailable', 'the event store is unavailable; retry later', {
        headers: { 'retry-after': DATABASE_RETRY_AFTER_SECONDS },
      });
    }
  }
}

/** Headers that carry credentials themselves (not signatures): never stored, never shown to rules. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

function withoutCredentials(headers: Record<string, string>, source: ActiveSource): Record<string, string> {
  const tokenHeader =
    source.record.provider === 'bearer' && typeof source.record.settings.header === 'string'
      ? source.record.settings.header.toLowerCase()
      : undefined;
  const kept = { ...headers };
  for (const name of [...CREDENTIAL_HEADERS, ...(tokenHeader ? [tokenHeader] : [])]) {
    if (name in kept) kept[name] = '[redacted]';
  }
  return kept;
}

function answerFor(stored: StoredEvent[], events: NewEvent[]): IntakeAnswer {
  const duplicates = stored.filter((event) => event.duplicate).length;
  const allDuplicates = duplicates === stored.length;
  const ignored = stored.filter((event, index) => !event.duplicate && events[index]?.status === 'ignored').length;
  if (events.length === 1 && stored[0]) {
    if (allDuplicates) return { status: 200, body: { eventId: stored[0].eventId, duplicate: true } };
    return { status: 202, body: ignored > 0 ? { eventId: stored[0].eventId, ignored: true } : { eventId: stored[0].eventId } };
  }
  const body = { eventIds: stored.map((event) => event.eventId), duplicates, ...(ignored > 0 ? { ignored } : {}) };
  return { status: allDuplicates ? 200 : 202, body };
}

async function eventTypeOf(source: ActiveSource, context: ExpressionContext): Promise<string | null> {
  const value = await source.eventType.evaluate(context).catch((error: unknown) => {
    if (isEvaluationTimeout(error)) throw error;
    return undefined;
  });
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? String(value) : null;
}
