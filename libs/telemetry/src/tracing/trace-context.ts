import {
  Attributes,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
} from '@opentelemetry/api';

/** The span attributes Hookflow adds (OpenTelemetry's own conventions cover HTTP, SQL and Redis). */
export const HookflowAttributes = {
  SOURCE: 'hookflow.source',
  EVENT_ID: 'hookflow.event.id',
  EVENT_TYPE: 'hookflow.event.type',
  RULE_ID: 'hookflow.rule.id',
  RULE_VERSION: 'hookflow.rule.version',
  RUN_ID: 'hookflow.run.id',
  RUN_EXECUTION: 'hookflow.run.execution',
  STEP_ID: 'hookflow.step.id',
  STEP_TYPE: 'hookflow.step.type',
  STEP_ATTEMPT: 'hookflow.step.attempt',
} as const;

/**
 * The W3C trace context (`traceparent`, maybe `tracestate`) of the code that queued a job, carried
 * in the job's data so the worker's spans join the same trace.
 */
export type TraceCarrier = Record<string, string>;

export interface SpanSettings {
  kind?: SpanKind;
  attributes?: Attributes;
}

const tracer = trace.getTracer('hookflow');

/**
 * The trace context active here, ready to travel in a job; undefined when there is none (tracing
 * off, or no span around this code), so payloads stay as they were.
 */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** Runs `work` in a new span, a child of the active one; a thrown error marks the span failed. */
export function inSpan<T>(name: string, settings: SpanSettings, work: (span: Span) => Promise<T>): Promise<T> {
  return runInSpan(name, settings, context.active(), work);
}

/**
 * Runs `work` in a new span continuing the trace of `carrier` (a job's), or starting a trace when
 * the job carries none (queued with tracing off, or before Hookflow carried trace context).
 */
export function continueTrace<T>(
  carrier: TraceCarrier | undefined,
  name: string,
  settings: SpanSettings,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
  return runInSpan(name, settings, parent, work);
}

/** Adds attributes to the active span (learnt after it started: the event's source once the event is read). */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** Marks the active span failed, with a message (a step whose outcome is a failure, not an exception). */
export function markSpanFailed(message: string): void {
  trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** `trace_id` and `span_id` of the active span, for a log line; empty when there is none. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

function runInSpan<T>(name: string, settings: SpanSettings, parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { kind: settings.kind ?? SpanKind.INTERNAL, attributes: settings.attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
