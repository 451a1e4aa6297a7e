import { BuiltApp } from '../support/built-app';
import { deliver, signHmac, waitFor } from '../support/deliveries';
import { ExportedSpan, OtlpReceiver, OtlpSpanKind } from '../support/otlp-receiver';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { REDIS_URL } from '../support/test-env';
import { TestStack } from '../support/test-stack';

/**
 * Built ingest and engine processes export their spans (OTLP/HTTP, JSON) to a collector in this
 * test. Real processes rather than apps in jest's process: jest loads modules through a registry of
 * its own (and hands them a stand-in `module`), so OpenTelemetry's require hooks cannot patch http,
 * pg or ioredis there. A real process also proves what matters in production: `tracing.bootstrap`
 * runs before anything loads those modules.
 */
describe('tracing across ingest, the queue and the engine', () => {
  let stack: TestStack;
  let collector: OtlpReceiver;
  let destination: TestReceiver;
  let ingest: BuiltApp | undefined;
  let engine: BuiltApp | undefined;

  beforeAll(async () => {
    [collector, destination] = await Promise.all([OtlpReceiver.start(), TestReceiver.start()]);
    // The stack provides the database, Redis prefix and rules directory; its in-process ingest stays idle.
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop')],
          [httpRule('notify-shop', 'shop', [{ id: 'notify', url: `${destination.url}/orders` }])],
        ),
      },
      engine: false,
    });
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL,
      HOOKFLOW_REDIS_PREFIX: stack.redisPrefix,
      HOOKFLOW_RULES_DIR: stack.rulesDir,
      HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: '127.0.0.0/8',
      LOG_LEVEL: 'silent',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    [ingest, engine] = await Promise.all([BuiltApp.start('ingest', { ...env, LOG_LEVEL: 'info' }), BuiltApp.start('engine', env)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([ingest?.stop(), engine?.stop()]);
    await stack?.close();
    await Promise.all([collector?.close(), destination?.close()]);
  });

  it('follows a delivery in one trace: ingest request → dispatch → run → step → the step’s HTTP call', async () => {
    const answer = await deliver(ingest!.url, 'shop', orderEvent(), { secret: SECRET });
    expect(answer.status).toBe(202);
    const eventId = answer.body.eventId as string;

    const request = await span('the ingest request', (s) => s.kind === OtlpSpanKind.SERVER && s.name === 'POST /hooks/:sourceId');
    const dispatch = await span('the dispatch', (s) => s.name === 'hookflow.dispatch' && s.attributes['hookflow.event.id'] === eventId);
    const run = await span('the run', (s) => s.name === 'hookflow.run' && childOf(s, dispatch));
    const step = await span('the step', (s) => s.name === 'hookflow.step' && childOf(s, run));
    const call = await span('the HTTP call', (s) => s.kind === OtlpSpanKind.CLIENT && childOf(s, step));

    expect(request).toMatchObject({
      service: 'hookflow-ingest',
      attributes: { 'http.route': '/hooks/:sourceId', 'hookflow.source': 'shop' },
    });
    expect(childOf(dispatch, request)).toBe(true);
    expect(dispatch).toMatchObject({
      service: 'hookflow-engine',
      kind: OtlpSpanKind.CONSUMER,
      attributes: { 'hookflow.source': 'shop', 'hookflow.event.type': 'order.created' },
    });
    expect(run.attributes).toMatchObject({ 'hookflow.rule.id': 'notify-shop', 'hookflow.rule.version': 1, 'hookflow.event.id': eventId });
    expect(step.attributes).toMatchObject({ 'hookflow.step.id': 'notify', 'hookflow.step.type': 'http', 'hookflow.step.attempt': 1 });
    expect(call).toMatchObject({ scope: '@opentelemetry/instrumentation-undici', attributes: { 'url.full': `${destination.url}/orders` } });
    // The destination gets the trace context too, so its own spans can join the trace.
    expect(destination.requests[0]?.headers.traceparent).toBe(`00-${request.traceId}-${call.spanId}-01`);
  });

  it('records the ingest request’s commit and enqueue as pg and ioredis spans under it', async () => {
    const answer = await deliver(ingest!.url, 'shop', orderEvent(), { secret: SECRET });
    expect(answer.status).toBe(202);

    const requests = await waitFor(
      () => {
        const found = collector.spans.filter((s) => s.kind === OtlpSpanKind.SERVER && s.name === 'POST /hooks/:sourceId');
        return found.length === 2 && found;
      },
      15_000,
      'the second ingest request span',
    );
    const request = requests[1]!;
    await span(
      'an INSERT under the request',
      (s) => s.scope === '@opentelemetry/instrumentation-pg' && childOf(s, request) && s.name.startsWith('pg.query:INSERT'),
    );
    await span('a Redis command under the request', (s) => s.scope === '@opentelemetry/instrumentation-ioredis' && childOf(s, request));
  });

  it('writes each request’s log line with the ids of its span, and never the signature', async () => {
    const body = orderEvent();
    const signature = await signHmac(SECRET, body);
    const earlier = logLines(ingest!).length;
    expect((await deliver(ingest!.url, 'shop', body, { headers: { 'x-webhook-signature': signature } })).status).toBe(202);

    const line = await waitFor(
      () =>
        logLines(ingest!)
          .slice(earlier)
          .find((entry) => entry.msg === 'request completed'),
      15_000,
      'the request’s log line',
    );
    expect(line).toMatchObject({ req: { url: '/hooks/shop', headers: { 'x-webhook-signature': '[redacted]' } }, res: { statusCode: 202 } });
    expect(ingest!.output).not.toContain(signature);
    await span(
      'the request of the log line',
      (s) => s.kind === OtlpSpanKind.SERVER && s.traceId === line.trace_id && s.spanId === line.span_id,
    );
  });

  function span(what: string, matches: (span: ExportedSpan) => boolean): Promise<ExportedSpan> {
    return waitFor(() => collector.spans.find(matches), 15_000, `${what} span (${collector.spans.length} spans exported so far)`);
  }
});

/** The app's JSON log lines written so far (a line still being written is left out). */
function logLines(app: BuiltApp): any[] {
  return app.output
    .split('\n')
    .slice(0, -1)
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text));
}

function childOf(child: ExportedSpan, parent: ExportedSpan): boolean {
  return child.traceId === parent.traceId && child.parentSpanId === parent.spanId;
}
