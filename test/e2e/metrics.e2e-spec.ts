import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { scrapeMetrics } from '../support/prometheus';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TcpProxy } from '../support/tcp-proxy';
import { TestStack } from '../support/test-stack';

const deliveries = (labels: string): string => `hookflow_ingest_requests_total{${labels}}`;

describe('/metrics of ingest and the admin API', () => {
  let stack: TestStack;
  let postgres: TcpProxy;

  beforeAll(async () => {
    postgres = await TcpProxy.start('127.0.0.1', 5432);
    stack = await TestStack.start({
      rules: { 'sources.yaml': rulesFile([hmacSource('shop')], []) },
      env: { HOOKFLOW_BODY_LIMIT: '4kb' },
      ingestVia: { postgres: postgres.address },
      engine: false, // so the accepted event's job stays in the queue
      admin: true,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await postgres?.down();
  });

  it('counts deliveries by source and outcome: accepted, duplicate, rejected with the reason code, 413 and 503', async () => {
    const body = orderEvent();
    expect((await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET })).status).toBe(202);
    expect((await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET })).status).toBe(200);
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent())).status).toBe(401);
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent({ padding: 'x'.repeat(5_000) }), { secret: SECRET })).status).toBe(413);
    expect((await deliver(stack.ingestUrl, 'made-up-source', orderEvent(), { secret: SECRET })).status).toBe(404);
    await postgres.down();
    try {
      expect((await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET })).status).toBe(503);
    } finally {
      await postgres.up();
    }

    const metrics = await scrapeMetrics(stack.ingestUrl);

    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.value(deliveries('source="shop",outcome="accepted",reason="",status="202"'))).toBe(1);
    expect(metrics.value(deliveries('source="shop",outcome="duplicate",reason="",status="200"'))).toBe(1);
    expect(metrics.value(deliveries('source="shop",outcome="rejected",reason="signature_mismatch",status="401"'))).toBe(1);
    expect(metrics.value(deliveries('source="shop",outcome="rejected",reason="missing_signature",status="401"'))).toBe(1);
    expect(metrics.value(deliveries('source="shop",outcome="rejected",reason="body_too_large",status="413"'))).toBe(1);
    expect(metrics.value(deliveries('source="shop",outcome="unavailable",reason="database_unavailable",status="503"'))).toBe(1);
    // A source id from the URL that names no source is never a label of its own.
    expect(metrics.value(deliveries('source="_unknown",outcome="rejected",reason="unknown_source",status="404"'))).toBe(1);
    expect(metrics.text).not.toContain('made-up-source');
    expect(metrics.value('hookflow_ingest_request_duration_seconds_count{outcome="accepted"}')).toBe(1);
    expect(metrics.value('hookflow_ingest_request_duration_seconds_count{outcome="rejected"}')).toBe(4);
  });

  it('reports the depth of each queue by state: the accepted event waits while no engine runs', async () => {
    const metrics = await scrapeMetrics(stack.ingestUrl);

    expect(metrics.value('hookflow_queue_jobs{queue="events",state="waiting"}')).toBe(1);
    for (const state of ['active', 'delayed', 'failed'])
      expect(metrics.value(`hookflow_queue_jobs{queue="events",state="${state}"}`)).toBe(0);
    for (const queue of ['runs', 'replays']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'])
        expect(metrics.value(`hookflow_queue_jobs{queue="${queue}",state="${state}"}`)).toBe(0);
    }
    expect(metrics.value('hookflow_dead_letters_pending')).toBe(0);
  });

  it('serves /metrics on the admin API without an API key, which every other route needs', async () => {
    const admin = new AdminClient(stack.adminUrl);

    const metrics = await scrapeMetrics(stack.adminUrl);

    expect(metrics.value('hookflow_queue_jobs{queue="events",state="waiting"}')).toBe(1);
    expect(metrics.text).toMatch(/^process_cpu_seconds_total /m);
    expect((await admin.get('/api-keys/self')).status).toBe(401);
  });
});

describe('/metrics of the engine', () => {
  let stack: TestStack;
  let ok: TestReceiver;
  let flaky: TestReceiver;
  let gone: TestReceiver;

  beforeAll(async () => {
    ok = await TestReceiver.start();
    flaky = await TestReceiver.start((index) => ({ status: index === 0 ? 503 : 200 }));
    gone = await TestReceiver.start(() => ({ status: 404 }));
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop')],
          [
            httpRule('notify', 'shop', [{ id: 'post', url: `${ok.url}/orders` }]),
            httpRule('flaky-notify', 'shop', [{ id: 'post', url: `${flaky.url}/orders` }], { retry: '{ attempts: 3, delay: 20ms }' }),
            httpRule('gone-notify', 'shop', [{ id: 'post', url: `${gone.url}/orders` }]),
          ],
        ),
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([ok, flaky, gone].map((receiver) => receiver?.close()));
  });

  it('counts finished runs by rule and status, step attempts by type, retries, and the dead letters pending', async () => {
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET });
    expect(answer.status).toBe(202);
    await waitFor(
      async () => {
        const runs = await stack.query<{ status: string }>('SELECT status FROM runs WHERE event_id = $1', [answer.body.eventId]);
        return runs.length === 3 && runs.every((run) => run.status === 'succeeded' || run.status === 'failed');
      },
      15_000,
      'the three runs to finish',
    );

    const metrics = await scrapeMetrics(engineUrl(stack));

    expect(metrics.value('hookflow_runs_total{rule="notify",status="succeeded"}')).toBe(1);
    expect(metrics.value('hookflow_runs_total{rule="flaky-notify",status="succeeded"}')).toBe(1);
    expect(metrics.value('hookflow_runs_total{rule="gone-notify",status="failed"}')).toBe(1);
    expect(metrics.value('hookflow_step_retries_total{rule="flaky-notify"}')).toBe(1);
    expect(metrics.value('hookflow_step_duration_seconds_count{type="http",status="succeeded"}')).toBe(2);
    expect(metrics.value('hookflow_step_duration_seconds_count{type="http",status="failed"}')).toBe(2);
    expect(metrics.value('hookflow_dead_letters_pending')).toBe(1);
    expect(metrics.value('hookflow_circuit_breakers_open')).toBe(0);
  });
});

function engineUrl(stack: TestStack): string {
  const address = stack.engine?.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('the engine is not listening');
  return `http://127.0.0.1:${address.port}`;
}
