import { annotateSpan, DeliveryOutcome, HookflowAttributes, HookflowMetrics, UNKNOWN_SOURCE } from '@hookflow/telemetry';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IntakeAnswer } from '../hooks/intake.service';

const DELIVERY_ROUTE = '/hooks/:sourceId';

/** What the handler or the exception filter learnt about a delivery, for the response hook to count. */
export type DeliveryNote = { answer: 'duplicate' | 'handshake' | 'ignored' } | { refusal: string };

/** The reason label of a delivery stored `ignored`: the same code `unknownEvents: reject` answers with. */
export const IGNORED_REASON = 'event_type_not_allowed';

/** Keyed by the Node request: the same object in hooks, the controller and the exception filter. */
const notes = new WeakMap<FastifyRequest['raw'], DeliveryNote>();

/** Called by the controller with the intake's answer (2xx). */
export function noteIntakeAnswer(request: FastifyRequest, answer: IntakeAnswer): void {
  const body = answer.body as { duplicate?: unknown; duplicates?: unknown; ignored?: unknown; eventIds?: unknown[] };
  // A batch counts as ignored only when every element was: otherwise something of it was accepted.
  const allIgnored = body.ignored === true || (Array.isArray(body.eventIds) && body.ignored === body.eventIds.length);
  if (answer.status === 202) {
    if (allIgnored) notes.set(request.raw, { answer: 'ignored' }); // else accepted, which the status says
    return;
  }
  notes.set(request.raw, { answer: body.duplicate === true || typeof body.duplicates === 'number' ? 'duplicate' : 'handshake' });
}

/** Called by the exception filter with the reason code it answered (`signature_mismatch`, `body_too_large`, …). */
export function noteRefusal(request: FastifyRequest, reason: string): void {
  notes.set(request.raw, { refusal: reason });
}

/** The `outcome` and `reason` labels of a delivery answered with `status`. */
export function deliveryOutcome(status: number, note: DeliveryNote | undefined): { outcome: DeliveryOutcome; reason: string } {
  const refusal = note && 'refusal' in note ? note.refusal : undefined;
  if (status === 202)
    return note && 'answer' in note && note.answer === 'ignored'
      ? { outcome: 'ignored', reason: IGNORED_REASON }
      : { outcome: 'accepted', reason: '' };
  if (status >= 200 && status < 300) return { outcome: note && 'answer' in note ? note.answer : 'handshake', reason: '' };
  if (status === 503) return { outcome: 'unavailable', reason: refusal ?? 'unavailable' };
  if (status >= 400 && status < 500) return { outcome: 'rejected', reason: refusal ?? 'unknown' };
  return { outcome: 'error', reason: refusal ?? 'internal_error' };
}

/**
 * Counts every delivery by source and outcome, and times it, when its answer has gone out
 * (`onResponse`), so refusals from anywhere (the body limit, verification, the database) count.
 * A source id that names no enabled source is counted as {@link UNKNOWN_SOURCE}: the URL is the
 * sender's to choose, and must not grow the label set.
 */
export function countDeliveries(fastify: FastifyInstance, metrics: HookflowMetrics, isSource: (sourceId: string) => boolean): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const sourceId = deliverySourceId(request);
    if (sourceId !== undefined) annotateSpan({ [HookflowAttributes.SOURCE]: sourceId });
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const sourceId = deliverySourceId(request);
    if (sourceId !== undefined) {
      const { outcome, reason } = deliveryOutcome(reply.statusCode, notes.get(request.raw));
      metrics.recordDelivery({
        source: isSource(sourceId) ? sourceId : UNKNOWN_SOURCE,
        outcome,
        reason,
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
    }
    done();
  });
}

function deliverySourceId(request: FastifyRequest): string | undefined {
  if (request.method !== 'POST' || request.routeOptions.url !== DELIVERY_ROUTE) return undefined;
  const sourceId = (request.params as { sourceId?: unknown } | undefined)?.sourceId;
  return typeof sourceId === 'string' ? sourceId : undefined;
}
