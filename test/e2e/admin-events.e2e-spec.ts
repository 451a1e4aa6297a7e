import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AdminClient } from '../support/admin-client';
import { deliver, signHmac, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

interface EventItem {
  id: string;
  sourceId: string;
  type: string | null;
  status: string;
  receivedAt: string;
  payload: { id: string; tag?: string };
}

interface EventPage {
  items: EventItem[];
  nextCursor: string | null;
}

/** Events through the admin API: filters, pagination and the pull feed under concurrent inserts, and the detail view. */
describe('admin API: events', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let admin: AdminClient;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop'), hmacSource('billing'), hmacSource('custom', '    header: X-Custom-Sig\n')],
          [httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}/orders` }])],
        ),
      },
      admin: true,
    });
    admin = new AdminClient(stack.adminUrl, await stack.createApiKey('read'));
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  /** Delivers an order event tagged `tag` (payload.tag) to a source; returns its event id. */
  async function send(source: string, tag: string, fields: Record<string, unknown> = {}): Promise<string> {
    const answer = await deliver(stack.ingestUrl, source, orderEvent({ tag, ...fields }), { secret: SECRET });
    expect(answer.status).toBe(202);
    return answer.body.eventId as string;
  }

  const tagged = (tag: string, query = ''): string => `/events?payload=${encodeURIComponent(JSON.stringify({ tag }))}${query}`;
  const idsOf = (page: EventPage): string[] => page.items.map((item) => item.id);

  async function settled(eventIds: string[]): Promise<void> {
    await waitFor(
      async () => {
        const rows = await stack.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE id = ANY($1) AND status <> 'received'`, [
          eventIds,
        ]);
        return rows[0]?.n === eventIds.length;
      },
      15_000,
      'the events to be dispatched',
    );
  }

  it('filters by source, exact type, status, time range and payload containment', async () => {
    const tag = randomUUID();
    const created = await send('shop', tag, { type: 'order.created', customer: { id: 'cus_acme', tier: 'gold' } });
    const paid = await send('shop', tag, { type: 'order.paid', customer: { id: 'cus_globex', tier: 'gold' } });
    const invoice = await send('billing', tag, { type: 'invoice.paid', customer: { id: 'cus_acme', tier: 'basic' } });
    await settled([created, paid, invoice]);

    const all = await admin.get<EventPage>(tagged(tag));
    expect(all.status).toBe(200);
    expect(idsOf(all.body)).toEqual([invoice, paid, created]);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[2]).toMatchObject({ id: created, sourceId: 'shop', type: 'order.created', status: 'dispatched' });

    expect(idsOf((await admin.get<EventPage>(tagged(tag, '&source=billing'))).body)).toEqual([invoice]);
    expect(idsOf((await admin.get<EventPage>(tagged(tag, '&type=order.paid'))).body)).toEqual([paid]);
    expect(idsOf((await admin.get<EventPage>(tagged(tag, '&type=order.*'))).body)).toEqual([]); // exact, no globs
    expect(idsOf((await admin.get<EventPage>(tagged(tag, '&status=unmatched'))).body)).toEqual([invoice]);
    expect(idsOf((await admin.get<EventPage>(tagged(tag, '&status=dispatched&source=shop'))).body)).toEqual([paid, created]);

    const nested = encodeURIComponent(JSON.stringify({ tag, customer: { id: 'cus_acme' } }));
    expect(idsOf((await admin.get<EventPage>(`/events?payload=${nested}`)).body)).toEqual([invoice, created]);

    const paidAt = all.body.items[1]!.receivedAt;
    expect(idsOf((await admin.get<EventPage>(tagged(tag, `&from=${paidAt}`))).body)).toEqual([invoice, paid]);
    expect(idsOf((await admin.get<EventPage>(tagged(tag, `&to=${paidAt}`))).body)).toEqual([created]);
  });

  it('answers 400 with the offending parameter for a bad filter, limit or cursor', async () => {
    expect(await admin.get('/events?payload=not-json')).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        details: [
          {
            path: 'payload',
            message: 'payload must be a JSON object or array that the event payload contains, such as {"customer":"acme"}',
          },
        ],
      },
    });
    expect((await admin.get(`/events?payload=${encodeURIComponent('{"note":"\\u0000"}')}`)).body).toEqual({
      error: 'invalid_request',
      message: 'the request is not valid',
      details: [{ path: 'payload', message: 'payload cannot be compared with stored payloads: unsupported Unicode escape sequence' }],
    });
    expect((await admin.get('/events?status=lost')).body.details).toEqual([
      { path: 'status', message: 'status must be one of received, dispatched, unmatched' },
    ]);
    expect((await admin.get('/events?from=yesterday')).body.details).toEqual([
      { path: 'from', message: 'from must be an ISO-8601 time such as 2026-01-01T00:00:00Z' },
    ]);
    expect((await admin.get('/events?limit=501')).body.details).toEqual([{ path: 'limit', message: 'limit must be from 1 to 500' }]);
    expect((await admin.get('/events?limit=0')).status).toBe(400);
    expect((await admin.get('/events?order=sideways')).body.details).toEqual([{ path: 'order', message: 'order must be asc or desc' }]);
    expect((await admin.get('/events?colour=red')).body.details).toEqual([{ path: 'colour', message: 'property colour should not exist' }]);

    const cursorError = { path: 'after', message: 'after must be the nextCursor of an earlier page of this same listing' };
    expect(await admin.get('/events?after=garbage')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', details: [cursorError] },
    });
    const runsCursor = Buffer.from(JSON.stringify({ listing: 'runs', at: '2026-01-01T00:00:00.000000Z', id: randomUUID() })).toString(
      'base64url',
    );
    expect(await admin.get(`/events?after=${runsCursor}`)).toMatchObject({ status: 400, body: { details: [cursorError] } });
    expect((await admin.get(`/events?order=asc&after=${runsCursor}`)).status).toBe(400);
  });

  it('pages newest first without skipping or repeating an event while others keep arriving', async () => {
    const tag = randomUUID();
    const before: string[] = [];
    for (let index = 0; index < 30; index += 1) before.push(await send('billing', tag));

    let inserting = true;
    const arriving = (async () => {
      const ids: string[] = [];
      while (inserting && ids.length < 60) ids.push(await send('billing', tag));
      return ids;
    })();

    const seen: EventItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: EventPage } = await admin.get<EventPage>(
        tagged(tag, `&limit=7${cursor ? `&after=${cursor}` : ''}`),
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    inserting = false;
    const during = await arriving;

    const seenIds = seen.map((item) => item.id);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect(seenIds).toEqual(expect.arrayContaining(before));
    expect(seenIds.every((id) => before.includes(id) || during.includes(id))).toBe(true);
    const times = seen.map((item) => Date.parse(item.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('feeds every event once, oldest first, to a poller following the cursor while events keep arriving', async () => {
    const tag = randomUUID();
    const first = [await send('billing', tag), await send('billing', tag)];
    const arriving = (async () => {
      const ids: string[] = [];
      for (let index = 0; index < 40; index += 1) ids.push(await send('billing', tag));
      return ids;
    })();

    const served: string[] = [];
    let cursor: string | null = null;
    let done = false;
    void arriving.then(() => (done = true));
    const expected = first.length + 40;
    const deadline = Date.now() + 30_000;
    while (!done || served.length < expected) {
      if (Date.now() > deadline) throw new Error(`the feed served ${served.length} of ${expected} events in 30 s`);
      const page: { status: number; body: EventPage } = await admin.get<EventPage>(
        tagged(tag, `&order=asc&limit=5${cursor ? `&after=${cursor}` : ''}`),
      );
      expect(page.status).toBe(200);
      served.push(...idsOf(page.body));
      if (page.body.items.length > 0) expect(page.body.nextCursor).not.toBeNull();
      cursor = page.body.nextCursor ?? cursor;
      if (page.body.items.length === 0) await sleep(20);
    }
    const all = [...first, ...(await arriving)];
    expect(new Set(served).size).toBe(served.length);
    expect([...served].sort()).toEqual([...all].sort());
    expect(served.slice(0, 2)).toEqual(first);

    // Caught up: the cursor stays where it is and nothing is served again.
    const idle = await admin.get<EventPage>(tagged(tag, `&order=asc&after=${cursor}`));
    expect(idle.body).toEqual({ items: [], nextCursor: cursor });
  });

  it('holds back the feed behind a transaction that has not committed, then serves its event after the position already read', async () => {
    const tag = randomUUID();
    const early = await send('billing', tag);
    const writer = new Client({ connectionString: stack.databaseUrl });
    await writer.connect();
    try {
      // An insert that commits late with a received_at older than every event above: what a slow ingest commit looks like.
      const lateId = randomUUID();
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, content_type, raw_body, payload, received_at)
         VALUES ($1, 'billing', $2, 'note.added', 'received', '{}', 'application/json', $3, $4, now() - interval '1 minute')`,
        [lateId, `late-${lateId}`, Buffer.from('{}'), JSON.stringify({ id: lateId, tag })],
      );
      const later = [await send('billing', tag), await send('billing', tag)];

      // Other transactions may hold the feed back for a moment too; this one holds it until it commits.
      const whileOpen = await waitFor(async () => {
        const page = await admin.get<EventPage>(tagged(tag, '&order=asc'));
        return page.body.items.length > 0 ? page.body : undefined;
      });
      expect(idsOf(whileOpen)).toEqual([early]);
      await sleep(300);
      expect(idsOf((await admin.get<EventPage>(tagged(tag, `&order=asc&after=${whileOpen.nextCursor}`))).body)).toEqual([]);
      const cursor = whileOpen.nextCursor;
      expect(cursor).not.toBeNull();
      // The newest-first listing shows what has committed, as it always did.
      expect(idsOf((await admin.get<EventPage>(tagged(tag))).body)).toEqual([later[1], later[0], early]);

      await writer.query('COMMIT');
      const resumed = await waitFor(async () => {
        const page = await admin.get<EventPage>(tagged(tag, `&order=asc&after=${cursor}`));
        return page.body.items.length === 3 ? page.body : undefined;
      });
      expect(idsOf(resumed)).toEqual([lateId, ...later]);
    } finally {
      await writer.end();
    }
  });

  it('shows an event with its signature headers masked, its raw body, payload and runs', async () => {
    const body = orderEvent({ tag: randomUUID(), note: 'caf\u00e9' });
    const signature = await signHmac(SECRET, body);
    const answer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET, headers: { 'x-trace': 'trace-1' } });
    const eventId = answer.body.eventId as string;
    await waitFor(async () => {
      const rows = await stack.query<{ status: string }>('SELECT status FROM runs WHERE event_id = $1', [eventId]);
      return rows[0]?.status === 'succeeded';
    });

    const detail = await admin.get(`/events/${eventId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.headers).toMatchObject({
      'x-webhook-signature': '[redacted]',
      'x-trace': 'trace-1',
      'content-type': 'application/json',
    });
    expect(JSON.stringify(detail.body)).not.toContain(signature.replace('sha256=', ''));
    expect(detail.body.body).toEqual({ base64: Buffer.from(body).toString('base64'), text: body, bytes: Buffer.byteLength(body) });
    expect(detail.body.payload).toEqual(JSON.parse(body));
    const [run] = await stack.query<{ id: string }>('SELECT id FROM runs WHERE event_id = $1', [eventId]);
    expect(detail.body.runs).toEqual([
      {
        id: run!.id,
        ruleId: 'notify',
        ruleVersion: 1,
        replay: 0,
        replayOf: null,
        status: 'succeeded',
        error: null,
        createdAt: expect.any(String),
        finishedAt: expect.any(String),
      },
    ]);
    expect(detail.body).toMatchObject({ id: eventId, sourceId: 'shop', type: 'order.created', status: 'dispatched' });
  });

  it('masks the signature header a source configures, and answers 404 for an unknown event', async () => {
    const body = orderEvent({ tag: randomUUID() });
    const signature = await signHmac(SECRET, body);
    const answer = await deliver(stack.ingestUrl, 'custom', body, { headers: { 'x-custom-sig': signature } });
    expect(answer.status).toBe(202);

    const detail = await admin.get(`/events/${answer.body.eventId as string}`);
    expect(detail.body.headers['x-custom-sig']).toBe('[redacted]');
    expect(JSON.stringify(detail.body)).not.toContain(signature.replace('sha256=', ''));

    const unknown = randomUUID();
    expect(await admin.get(`/events/${unknown}`)).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: `event "${unknown}" does not exist` },
    });
    expect((await admin.get('/events/not-a-uuid')).status).toBe(404);
  });

  it('describes events, runs and dead letters in the OpenAPI document', async () => {
    const openapi = (await admin.get('/openapi.json')).body;
    for (const path of ['/events', '/events/{id}', '/events/{id}/replay', '/runs', '/runs/{id}', '/dead-letters', '/dead-letters/{id}']) {
      expect(openapi.paths[path]).toBeDefined();
    }
    expect(Object.keys(openapi.paths['/dead-letters/replay'].post)).toEqual(expect.arrayContaining(['requestBody', 'responses']));
    const eventFilters = openapi.paths['/events'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(eventFilters.sort()).toEqual(['after', 'from', 'limit', 'order', 'payload', 'source', 'status', 'to', 'type']);
    const deadLetterFilters = openapi.paths['/dead-letters'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(deadLetterFilters.sort()).toEqual(['after', 'cause', 'from', 'limit', 'rule', 'source', 'status', 'to']);
    expect(openapi.components.schemas.EventDetailView.properties).toHaveProperty('headers');
  });
});
