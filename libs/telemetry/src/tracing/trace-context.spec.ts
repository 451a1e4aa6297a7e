import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { startTracing, stopTracing } from './start-tracing';
import { annotateSpan, continueTrace, currentTraceCarrier, inSpan, markSpanFailed, TraceCarrier, traceLogFields } from './trace-context';

describe('trace context', () => {
  const spans = new InMemorySpanExporter();

  beforeAll(() => startTracing('unit', { exporter: spans }));
  afterEach(() => spans.reset());
  afterAll(() => stopTracing());

  it('has nothing to carry outside a span, so job payloads stay as they were', () => {
    expect(currentTraceCarrier()).toBeUndefined();
    expect(traceLogFields()).toEqual({});
  });

  it('continues the trace of a carrier taken where the job was queued, as a child of the span there', async () => {
    let carrier: TraceCarrier | undefined;
    await inSpan('POST /hooks/:sourceId', {}, async () => {
      carrier = currentTraceCarrier();
      return Promise.resolve();
    });
    await continueTrace(carrier, 'hookflow.dispatch', { kind: SpanKind.CONSUMER, attributes: { 'hookflow.event.id': 'e1' } }, async () => {
      annotateSpan({ 'hookflow.source': 'stripe' });
      await inSpan('hookflow.step', {}, () => Promise.resolve());
    });

    const [request, step, dispatch] = spans.getFinishedSpans();
    expect(carrier?.traceparent).toBe(`00-${request?.spanContext().traceId}-${request?.spanContext().spanId}-01`);
    expect(dispatch?.spanContext().traceId).toBe(request?.spanContext().traceId);
    expect(dispatch?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(dispatch?.kind).toBe(SpanKind.CONSUMER);
    expect(dispatch?.attributes).toEqual({ 'hookflow.event.id': 'e1', 'hookflow.source': 'stripe' });
    expect(step?.parentSpanContext?.spanId).toBe(dispatch?.spanContext().spanId);
  });

  it('starts a new trace for a job that carries none (queued with tracing off, or before it was carried)', async () => {
    await inSpan('unrelated', {}, () => continueTrace(undefined, 'hookflow.run', {}, () => Promise.resolve()));

    const [run, unrelated] = spans.getFinishedSpans();
    expect(run?.parentSpanContext).toBeUndefined();
    expect(run?.spanContext().traceId).not.toBe(unrelated?.spanContext().traceId);
  });

  it('gives log lines the ids of the active span', async () => {
    const fields = await inSpan('hookflow.run', {}, () => Promise.resolve(traceLogFields()));

    const [run] = spans.getFinishedSpans();
    expect(fields).toEqual({ trace_id: run?.spanContext().traceId, span_id: run?.spanContext().spanId });
  });

  it('marks a span failed when its work throws (and rethrows), or when told the outcome failed', async () => {
    await expect(inSpan('hookflow.run', {}, () => Promise.reject(new Error('database away')))).rejects.toThrow('database away');
    await inSpan('hookflow.step', {}, () => Promise.resolve(markSpanFailed('HTTP 503')));

    const [run, step] = spans.getFinishedSpans();
    expect(run?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'database away' });
    expect(run?.events.map((event) => event.name)).toEqual(['exception']);
    expect(step?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 503' });
  });
});
