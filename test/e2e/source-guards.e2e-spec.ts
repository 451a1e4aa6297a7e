import { AdminClient } from '../support/admin-client';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { scrapeMetrics } from '../support/prometheus';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

/** An order's schema, read by the loader from a file of the rules directory. */
const ORDER_SCHEMA = {
  type: 'object',
  required: ['id', 'type', 'total'],
  properties: {
    id: { type: 'string', pattern: '^ord_' },
    total: { type: 'integer', minimum: 1 },
    customer: { type: 'string' },
  },
};

const shop = hmacSource('shop', `    events: ["order.*"]\n    schema: order.schema.json\n`);
const strict = hmacSource(
  'strict',
  `    events: ["order.*"]
    unknownEvents: reject
    schema:
      - events: ["order.refunded"]
        schema: { type: object, required: [id, reason], properties: { reason: { enum: [customer, fraud] } } }
`,
);

describe('source guards: allowed event types and payload schemas', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let admin: AdminClient;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start({
      rules: {
        'order.schema.json': JSON.stringify(ORDER_SCHEMA),
        // Rules for every type: only the guards keep ignored events from running.
        'sources.yaml': rulesFile(
          [shop, strict],
          [
            httpRule('notify-shop', 'shop', [{ id: 'notify', url: `${receiver.url}/shop` }], { events: '"**"' }),
            httpRule('notify-strict', 'strict', [{ id: 'notify', url: `${receiver.url}/strict` }], { events: '"**"' }),
          ],
        ),
      },
      admin: true,
    });
    admin = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const eventsOf = (sourceId: string) =>
    stack.query<{ id: string; type: string; status: string }>(
      'SELECT id, type, status FROM events WHERE source_id = $1 ORDER BY received_at',
      [sourceId],
    );
  const rejectionsOf = async (sourceId: string) =>
    (await admin.get<{ items: { reason: string; status: number; message: string }[] }>(`/sources/${sourceId}/rejections`)).body.items;

  it('answers a type the source does not allow 202, stores it ignored, and runs nothing for it', async () => {
    const ignored = orderEvent({ type: 'customer.created' });
    const answer = await deliver(stack.ingestUrl, 'shop', ignored, { secret: SECRET });
    expect(answer).toMatchObject({ status: 202, body: { eventId: expect.any(String), ignored: true } });
    const eventId = answer.body.eventId as string;

    // An allowed event after it runs its rule: once that arrives, the ignored one had its chance to.
    const allowed = orderEvent();
    expect((await deliver(stack.ingestUrl, 'shop', allowed, { secret: SECRET })).status).toBe(202);
    await waitFor(() => receiver.requests.some((request) => request.url === '/shop'), 15_000, 'the allowed event’s run');
    await sleep(1_000); // past the outbox sweeper's grace (300 ms) and interval (200 ms)
    expect(receiver.requests.filter((request) => request.url === '/shop').map((request) => request.json())).toEqual([
      expect.objectContaining({ order: JSON.parse(allowed).id }),
    ]);
    expect(await stack.query('SELECT id FROM runs WHERE event_id = $1', [eventId])).toEqual([]);
    expect((await eventsOf('shop')).map(({ type, status }) => ({ type, status }))).toEqual([
      { type: 'customer.created', status: 'ignored' },
      { type: 'order.created', status: 'dispatched' },
    ]);

    // A retry of it dedupes like any delivery; the admin API lists it, and refuses to replay it.
    expect(await deliver(stack.ingestUrl, 'shop', ignored, { secret: SECRET })).toMatchObject({
      status: 200,
      body: { eventId, duplicate: true },
    });
    expect((await admin.get(`/events?source=shop&status=ignored`)).body.items).toEqual([expect.objectContaining({ id: eventId })]);
    expect(await admin.post(`/events/${eventId}/replay`, {})).toMatchObject({ status: 409, body: { error: 'event_ignored' } });
    expect(await rejectionsOf('shop')).toEqual([]);
  });

  it('answers 422 event_type_not_allowed under unknownEvents: reject, and stores nothing', async () => {
    const answer = await deliver(stack.ingestUrl, 'strict', orderEvent({ type: 'customer.created' }), { secret: SECRET });
    expect(answer).toMatchObject({
      status: 422,
      body: {
        error: 'event_type_not_allowed',
        message: 'event type "customer.created" is not one this source accepts (events: order.*)',
        details: [{ type: 'customer.created' }],
      },
    });
    expect(await eventsOf('strict')).toEqual([]);
    await waitFor(async () => (await rejectionsOf('strict')).length > 0, 5_000, 'the rejection log row');
    expect(await rejectionsOf('strict')).toEqual([
      expect.objectContaining({ reason: 'event_type_not_allowed', status: 422, message: answer.body.message }),
    ]);
  });

  it('refuses a payload that fails the schema read from a file with 422 and its violations, and never stores it', async () => {
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent({ id: 'x-1', total: 0, customer: 7 }), { secret: SECRET });
    expect(answer).toMatchObject({
      status: 422,
      body: {
        error: 'schema_violation',
        message: `the payload does not match the source's schema: /id must match pattern "^ord_" (and 2 more)`,
        details: [
          { path: '/id', message: 'must match pattern "^ord_"' },
          { path: '/total', message: 'must be >= 1' },
          { path: '/customer', message: 'must be string' },
        ],
      },
    });
    expect(await stack.query("SELECT id FROM events WHERE payload->>'id' = 'x-1'")).toEqual([]);
    await waitFor(async () => (await rejectionsOf('shop')).length > 0, 5_000, 'the rejection log row');
    expect(await rejectionsOf('shop')).toEqual([
      expect.objectContaining({
        reason: 'schema_violation',
        status: 422,
        message: answer.body.message,
        diagnostics: expect.objectContaining({ provider: 'hmac', violations: answer.body.details }) as unknown,
      }),
    ]);
  });

  it('checks an inline schema per event type, and accepts a payload that satisfies it', async () => {
    const refused = await deliver(stack.ingestUrl, 'strict', orderEvent({ type: 'order.refunded', reason: 'bored' }), { secret: SECRET });
    expect(refused).toMatchObject({
      status: 422,
      body: { error: 'schema_violation', details: [{ path: '/reason', message: 'must be equal to one of the allowed values' }] },
    });
    const accepted = await deliver(stack.ingestUrl, 'strict', orderEvent({ type: 'order.refunded', reason: 'fraud' }), { secret: SECRET });
    expect(accepted).toMatchObject({ status: 202, body: { eventId: expect.any(String) } });
    // Types no entry names are not checked.
    expect((await deliver(stack.ingestUrl, 'strict', '{"id": "any", "type": "order.created"}', { secret: SECRET })).status).toBe(202);
    await waitFor(() => receiver.requests.filter((request) => request.url === '/strict').length === 2, 15_000, 'both strict runs');
  });

  it('counts each guard’s outcome under its own reason code', async () => {
    const metrics = await scrapeMetrics(stack.ingestUrl);
    const deliveries = (labels: string): number | undefined => metrics.value(`hookflow_ingest_requests_total{${labels}}`);
    expect(deliveries('source="shop",outcome="ignored",reason="event_type_not_allowed",status="202"')).toBe(1);
    expect(deliveries('source="shop",outcome="rejected",reason="schema_violation",status="422"')).toBe(1);
    expect(deliveries('source="strict",outcome="rejected",reason="event_type_not_allowed",status="422"')).toBe(1);
    expect(deliveries('source="strict",outcome="rejected",reason="schema_violation",status="422"')).toBe(1);
  });

  it('takes the guards through the admin API with the checks of a rules file, and ingest applies them', async () => {
    const definition = {
      id: 'api-guarded',
      provider: 'none',
      eventType: 'payload.type',
      events: ['ping.*'],
      unknownEvents: 'reject',
      schema: { type: 'object', required: ['id'] },
      rateLimit: { perSecond: 100, burst: 50 },
    };
    expect(await admin.post('/sources', { ...definition, schema: 'order.schema.json' })).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        details: [
          {
            path: 'schema',
            message: 'schema: a schema file is read from a rules directory only; through the admin API give the schema itself',
          },
        ],
      },
    });
    expect(await admin.post('/sources', { ...definition, unknownEvents: 'drop', schema: { type: 'objekt' } })).toMatchObject({
      status: 422,
      body: {
        details: [{ path: 'unknownEvents', message: 'unknownEvents: must be one of ignore, reject' }],
      },
    });
    const created = await admin.post('/sources', definition);
    expect(created).toMatchObject({
      status: 201,
      body: { settings: { events: ['ping.*'], unknownEvents: 'reject', schema: definition.schema, rateLimit: definition.rateLimit } },
    });
    const refused = await waitFor(
      async () => {
        const answer = await deliver(stack.ingestUrl, 'api-guarded', '{"type": "ping.sent"}');
        return answer.status === 404 ? undefined : answer;
      },
      5_000,
      'ingest to load the new source',
    );
    expect(refused).toMatchObject({ status: 422, body: { error: 'schema_violation', details: [{ path: '/' }] } });
    expect(await deliver(stack.ingestUrl, 'api-guarded', '{"type": "pong.sent", "id": "p1"}')).toMatchObject({
      status: 422,
      body: { error: 'event_type_not_allowed' },
    });
    expect((await deliver(stack.ingestUrl, 'api-guarded', '{"type": "ping.sent", "id": "p2"}')).status).toBe(202);
  });

  it('replays an ignored event once its source allows the type, and not before', async () => {
    const source = { provider: 'none', eventType: 'payload.type', events: ['ping.*'] };
    expect((await admin.post('/sources', { id: 'late-types', ...source })).status).toBe(201);
    const rule = { id: 'late-types-notify', source: 'late-types', steps: [{ id: 'notify', type: 'http', url: `${receiver.url}/late` }] };
    expect((await admin.post('/rules', rule)).status).toBe(201);
    const ignored = await waitFor(
      async () => {
        const answer = await deliver(stack.ingestUrl, 'late-types', '{"type": "pong.sent", "id": "late-1"}');
        return answer.status === 404 ? undefined : answer;
      },
      5_000,
      'ingest to load the new source',
    );
    expect(ignored).toMatchObject({ status: 202, body: { ignored: true } });
    const eventId = ignored.body.eventId as string;
    expect(await admin.post(`/events/${eventId}/replay`, {})).toMatchObject({
      status: 409,
      body: { error: 'event_ignored', message: expect.stringContaining("add it to the source's events") as unknown },
    });

    // The operator allows the type: replaying is how the ignored event runs (a retry of it is a duplicate).
    expect((await admin.put('/sources/late-types', { ...source, events: ['ping.*', 'pong.*'] })).status).toBe(200);
    const replayed = await admin.post<{ runs: { ruleId: string }[] }>(`/events/${eventId}/replay`, {});
    expect(replayed.status).toBeLessThan(300);
    expect(replayed.body.runs).toEqual([expect.objectContaining({ ruleId: 'late-types-notify' })]);
    await waitFor(() => receiver.requests.some((request) => request.url === '/late'), 15_000, 'the replayed run');
  });
});
