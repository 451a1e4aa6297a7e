import { TokenBucketLimit } from '@hookflow/config';
import { NewEvent } from '@hookflow/persistence';
import { IngestRejection } from '../hooks/ingest-rejection';
import { compileEventTypeFilter, EventTypeFilter } from '@hookflow/rules';
import { compilePayloadCheck, MAX_REPORTED_VIOLATIONS, PayloadCheck, SchemaViolation } from './payload-schema.guard';

/**
 * The largest payload (its raw bytes) whose every schema violation is collected; a larger one that
 * fails reports its first. Half a million wrong items in a 1 MiB body take ajv about a second and
 * tens of MB to list; 64 KiB bounds that to milliseconds, above the size of most webhook payloads.
 */
export const MAX_DETAILED_PAYLOAD_BYTES = 64 * 1024;

/** A source's guards, compiled once per definition; absent guards let everything through. */
export interface SourceGuards {
  eventTypes?: EventTypeFilter;
  payloads?: PayloadCheck;
  /** The source's own `rateLimit`; undefined: the default (HOOKFLOW_RATE_LIMIT_*). */
  rateLimit?: TokenBucketLimit;
}

/** Throws when a schema does not compile (see {@link compilePayloadCheck}). */
export function compileSourceGuards(settings: Record<string, unknown>): SourceGuards {
  return {
    eventTypes: compileEventTypeFilter(settings),
    payloads: compilePayloadCheck(settings),
    rateLimit: rateLimitOf(settings.rateLimit),
  };
}

/**
 * Applies a source's event-type filter and payload schema to the events of one delivery, after
 * the signature and before the commit, and returns them with the status they are stored with.
 * A batch (SendGrid) is judged element by element, and refused whole when one element is refused:
 * the provider retries deliveries, not elements, so a partial commit would be re-sent and the
 * refused element never fixed (docs/decisions.md). A type that is not allowed under `ignore` is
 * stored `ignored` and its payload is not checked: the schema describes the types the source expects.
 */
export function guardEvents(guards: SourceGuards, events: NewEvent[]): NewEvent[] {
  const { eventTypes, payloads } = guards;
  if (!eventTypes && !payloads) return events;
  const batch = events.length > 1;
  const judged = events.map((event) => ({
    ...event,
    status: eventTypes && !eventTypes.allows(event.type) ? ('ignored' as const) : ('received' as const),
  }));
  if (eventTypes?.onUnknown === 'reject') refuseTypes(eventTypes, judged, batch);
  if (payloads) refuseViolations(payloads, judged, batch);
  return judged;
}

function refuseTypes(filter: EventTypeFilter, events: NewEvent[], batch: boolean): void {
  const refused = events.flatMap((event, index) => (event.status === 'ignored' ? [{ ...(batch ? { index } : {}), type: event.type }] : []));
  const first = refused[0];
  if (!first) return;
  const allowed = filter.globs.join(', ');
  const what = first.type === null ? 'an event without a type' : `event type "${first.type}"`;
  // A batch of thousands must not make an answer (or a rejection log entry waiting in memory) of thousands.
  const reported = refused.slice(0, MAX_REPORTED_VIOLATIONS);
  throw new IngestRejection(
    422,
    'event_type_not_allowed',
    `${what}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''} is not one this source accepts (events: ${allowed})`,
    { details: reported, diagnostics: { refused: reported, allowed: filter.globs } },
  );
}

function refuseViolations(check: PayloadCheck, events: NewEvent[], batch: boolean): void {
  let reported = 0;
  const failed = events.flatMap((event, index) => {
    if (event.status === 'ignored') return [];
    // Collecting every error costs in proportion to the payload's size and its errors' number: only
    // small payloads get it, and only until enough is reported; the others report their first error.
    const detail = reported < MAX_REPORTED_VIOLATIONS && event.rawBody.length <= MAX_DETAILED_PAYLOAD_BYTES ? 'all' : 'first';
    const violations = check(event.type, event.payload, detail);
    reported += violations.length;
    return violations.length === 0 ? [] : [{ index, type: event.type, violations }];
  });
  if (failed.length === 0) return;
  const violations: (SchemaViolation & { index?: number })[] = failed.flatMap(({ index, violations }) =>
    violations.map((violation) => (batch ? { index, ...violation } : violation)),
  );
  // At most MAX_REPORTED_VIOLATIONS for the whole delivery, not per element: a batch of thousands of
  // failing elements must not make an answer (or a rejection log entry waiting in memory) of thousands.
  const details = violations.slice(0, MAX_REPORTED_VIOLATIONS);
  const eventTypes = [...new Set(failed.map((item) => item.type))].slice(0, MAX_REPORTED_VIOLATIONS);
  const first = details[0];
  throw new IngestRejection(
    422,
    'schema_violation',
    `the payload does not match the source's schema${first ? `: ${first.path} ${first.message}` : ''}` +
      (violations.length > 1 ? ` (and ${violations.length - 1} more)` : ''),
    { details, diagnostics: { violations: details, eventTypes } },
  );
}

function rateLimitOf(value: unknown): TokenBucketLimit | undefined {
  const limit = value as { perSecond?: unknown; burst?: unknown } | undefined;
  if (typeof limit?.perSecond !== 'number') return undefined;
  const burst = typeof limit.burst === 'number' ? limit.burst : Math.max(1, Math.ceil(limit.perSecond * 2));
  return { perSecond: limit.perSecond, burst };
}
