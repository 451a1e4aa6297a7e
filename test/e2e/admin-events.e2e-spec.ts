import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AdminClient } from '../support/admin-client';
import { deliver, signHmac, sleep, waitFor } from '../support/deliveries';
import { scrapeMetrics } from '../support/prometheus';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { ADMIN_DATABASE_URL } from '../support/test-env';
import { TestStack } from '../support/test-stack';

interface EventItem {
  id: string;
  sourceId: string;
  type: string | null;
  status: string;
  receivedAt: string;
}

interface EventPage {
  items: EventItem[];
  nextCursor: string | null;
  heldBack?: { events: number; truncated: boolean; oldestReceivedAt: string };
}

interface FeedKeyset {
  listing: string;
  cluster: string;
  xid: string;
  id: string;
}

const cursorError = { path: 'after', message: 'after must be the nextCursor of an earlier page of this same listing' };

/** A feed cursor as the API makes them (base64url of its keyset's JSON). */
const feedCursor = (keyset: FeedKeyset): string => Buffer.from(JSON.stringify(keyset)).toString('base64url');
const keysetOf = (cursor: string | null): FeedKeyset => JSON.parse(Buffer.from(cursor ?? '', 'base64url').toString('utf8')) as FeedKeyset;

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

  /** Inserts, in `writer`'s open transaction, an event received a minute ago: what a slow ingest commit looks like. */
  async function insertLate(writer: Client, id: string, tag: string): Promise<void> {
    await writer.query(
      `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, content_type, raw_body, payload, received_at)
       VALUES ($1, 'billing', $2, 'note.added', 'received', '{}', 'application/json', $3, $4, now() - interval '1 minute')`,
      [id, `late-${id}`, Buffer.from('{}'), JSON.stringify({ id, tag })],
    );
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
    // Listings leave payloads out (a page of 1 MiB bodies would be huge); the detail has it.
    expect(all.body.items[2]).not.toHaveProperty('payload');
    expect(all.body.items[2]).toHaveProperty('bodyBytes');
    expect((await admin.get(`/events/${created}`)).body.payload).toMatchObject({ tag, type: 'order.created' });

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
    expect((await admin.get(`/events?payload=${encodeURIComponent('{"amount":1e1000000}')}`)).body).toEqual({
      error: 'invalid_request',
      message: 'the request is not valid',
      details: [{ path: 'payload', message: 'payload cannot be compared with stored payloads: value overflows numeric format' }],
    });
    expect((await admin.get('/events?status=lost')).body.details).toEqual([
      { path: 'status', message: 'status must be one of received, dispatched, unmatched, ignored' },
    ]);
    expect((await admin.get('/events?from=yesterday')).body.details).toEqual([
      { path: 'from', message: 'from must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z' },
    ]);
    expect((await admin.get('/events?limit=501')).body.details).toEqual([{ path: 'limit', message: 'limit must be from 1 to 500' }]);
    expect((await admin.get('/events?limit=0')).status).toBe(400);
    expect((await admin.get('/events?order=sideways')).body.details).toEqual([{ path: 'order', message: 'order must be asc or desc' }]);
    expect((await admin.get('/events?colour=red')).body.details).toEqual([{ path: 'colour', message: 'property colour should not exist' }]);

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

  it('refuses a feed cursor whose transaction id does not fit a bigint as a bad cursor, not a bad payload', async () => {
    const { cluster } = keysetOf((await admin.get<{ cursor: string }>('/events/feed/head')).body.cursor);
    for (const xid of ['99999999999999999999', '9223372036854775808', '-1', '1e3', '']) {
      const cursor = feedCursor({ listing: 'events-feed', cluster, xid, id: randomUUID() });
      expect(await admin.get(`/events?order=asc&after=${cursor}`)).toMatchObject({ status: 400, body: { details: [cursorError] } });
    }
    // The largest bigint is a well-formed position, one this database has not reached.
    const largest = feedCursor({ listing: 'events-feed', cluster, xid: '9223372036854775807', id: randomUUID() });
    expect(await admin.get(`/events?order=asc&after=${largest}`)).toMatchObject({ status: 409, body: { error: 'feed_reset' } });
  });

  it('answers 409 feed_reset to a feed cursor that another PostgreSQL cluster issued', async () => {
    const [system] = await stack.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    const cluster = system!.id;
    const head = keysetOf((await admin.get<{ cursor: string }>('/events/feed/head')).body.cursor);
    expect(head).toMatchObject({ listing: 'events-feed', cluster });

    const restored = feedCursor({ ...head, cluster: String(BigInt(cluster) + 1n) });
    const answer = await admin.get(`/events?order=asc&after=${restored}`);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'feed_reset' });
    expect(answer.body.message).toContain('another PostgreSQL cluster');
    expect(answer.body.message).toContain('start again without `after`');

    // A position this database has not reached yet: it was restored to an earlier point (a backup, PITR).
    const ahead = feedCursor({ ...head, xid: String(BigInt(head.xid) + 1_000_000n) });
    const rewound = await admin.get(`/events?order=asc&after=${ahead}`);
    expect(rewound).toMatchObject({ status: 409, body: { error: 'feed_reset' } });
    expect(rewound.body.message).toContain('restored to an earlier point');
  });

  it('answers 400 to a time that is no real instant, a NUL in a filter or id, and a cursor at an impossible time', async () => {
    const timeError = (path: string) => ({
      status: 400,
      body: {
        error: 'invalid_request',
        details: [{ path, message: `${path} must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z` }],
      },
    });
    for (const time of ['2026-W01', '20260101T000000Z', '2026-02-30T00:00:00Z', '2026-01-01T00:00:00', '0000-01-01T00:00:00Z']) {
      expect(await admin.get(`/events?from=${encodeURIComponent(time)}`)).toMatchObject(timeError('from'));
      expect(await admin.get(`/events?order=asc&to=${encodeURIComponent(time)}`)).toMatchObject(timeError('to'));
    }
    expect((await admin.get(`/events?from=${encodeURIComponent('2026-01-01T09:00:00+09:00')}`)).status).toBe(200);

    const nul = (path: string) => ({
      status: 400,
      body: { error: 'invalid_request', details: [{ path, message: `${path} must not contain the NUL character (\\u0000)` }] },
    });
    expect(await admin.get('/events?type=order%00')).toMatchObject(nul('type'));
    expect(await admin.get('/events?source=%00')).toMatchObject(nul('source'));
    expect(await admin.get('/events/%00')).toMatchObject(nul('id'));

    const impossible = Buffer.from(JSON.stringify({ listing: 'events', at: '2026-13-45T99:99:99.000000Z', id: randomUUID() })).toString(
      'base64url',
    );
    expect(await admin.get(`/events?after=${impossible}`)).toMatchObject({
      status: 400,
      body: { details: [{ path: 'after', message: 'after must be the nextCursor of an earlier page of this same listing' }] },
    });
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

    // Caught up: nothing is served again, and the cursor never moves back.
    const idle = await admin.get<EventPage>(tagged(tag, `&order=asc&after=${cursor}`));
    expect(idle.body.items).toEqual([]);
    expect(BigInt(keysetOf(idle.body.nextCursor).xid)).toBeGreaterThanOrEqual(BigInt(keysetOf(cursor).xid));
    expect((await admin.get<EventPage>(tagged(tag, `&order=asc&after=${idle.body.nextCursor}`))).body.items).toEqual([]);
  });

  it('moves a filtered feed that matches nothing new up to the settled horizon, so polls do not rescan', async () => {
    const first = await admin.get<EventPage>('/events?order=asc&source=custom&type=nothing.matches');
    expect(first.body.items).toEqual([]);
    expect(first.body.nextCursor).not.toBeNull();
    const tag = randomUUID();
    const others = [await send('billing', tag), await send('shop', tag)];
    await settled(others);

    const next = await waitFor(async () => {
      const page = await admin.get<EventPage>(`/events?order=asc&source=custom&type=nothing.matches&after=${first.body.nextCursor}`);
      return BigInt(keysetOf(page.body.nextCursor).xid) > BigInt(keysetOf(first.body.nextCursor).xid) ? page.body : undefined;
    });
    expect(next.items).toEqual([]);
    // Everything below the cursor has been considered: the other sources' events are behind it.
    const [newest] = await stack.query<{ xid: string }>('SELECT max(insert_xid)::text AS xid FROM events WHERE id = ANY($1)', [others]);
    expect(BigInt(keysetOf(next.nextCursor).xid)).toBeGreaterThanOrEqual(BigInt(newest!.xid));
    expect(idsOf((await admin.get<EventPage>(tagged(tag, `&order=asc&after=${next.nextCursor}`))).body)).toEqual([]);
  });

  it('starts a feed at the head: only events that settle afterwards, including one that commits late with an earlier time', async () => {
    const tag = randomUUID();
    const before = await send('billing', tag);
    await waitFor(async () => idsOf((await admin.get<EventPage>(tagged(tag, '&order=asc'))).body).includes(before));
    const writer = new Client({ connectionString: stack.databaseUrl });
    await writer.connect();
    try {
      const lateId = randomUUID();
      await writer.query('BEGIN');
      await insertLate(writer, lateId, tag);
      const head = await admin.get<{ cursor: string }>('/events/feed/head');
      expect(head.status).toBe(200);
      const after = await send('billing', tag);
      await writer.query('COMMIT');

      const served = await waitFor(async () => {
        const page = await admin.get<EventPage>(tagged(tag, `&order=asc&after=${head.body.cursor}`));
        return page.body.items.length === 2 ? page.body : undefined;
      });
      expect(idsOf(served)).toEqual([lateId, after]);
    } finally {
      await writer.end();
    }
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
      await insertLate(writer, lateId, tag);
      const later = [await send('billing', tag), await send('billing', tag)];

      // Other transactions may hold the feed back for a moment too; this one holds it until it commits.
      const whileOpen = await waitFor(async () => {
        const page = await admin.get<EventPage>(tagged(tag, '&order=asc'));
        return page.body.items.length > 0 ? page.body : undefined;
      });
      expect(idsOf(whileOpen)).toEqual([early]);
      // The two later events have committed: the answer says they are waiting.
      expect(whileOpen.heldBack).toEqual({ events: 2, truncated: false, oldestReceivedAt: expect.any(String) });
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
      expect(resumed.heldBack).toBeUndefined();
    } finally {
      await writer.end();
    }
  });

  it('shows, in the answer and in /metrics, what a transaction open in another database of the cluster holds back', async () => {
    const tag = randomUUID();
    const elsewhere = new Client({ connectionString: ADMIN_DATABASE_URL });
    await elsewhere.connect();
    try {
      // Any transaction that holds an id, in any database of the cluster, holds the feed back.
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      const held = await send('billing', tag);
      await sleep(1_100);

      const page = await admin.get<EventPage>(tagged(tag, '&order=asc'));
      expect(page.body.items).toEqual([]);
      expect(page.body.heldBack).toMatchObject({ events: 1, truncated: false });
      const [row] = await stack.query<{ at: Date }>('SELECT received_at AS at FROM events WHERE id = $1', [held]);
      expect(page.body.heldBack?.oldestReceivedAt).toBe(row!.at.toISOString());

      const metrics = await scrapeMetrics(stack.adminUrl);
      expect(metrics.value('hookflow_feed_held_events')).toBeGreaterThanOrEqual(1);
      expect(metrics.value('hookflow_feed_held_seconds')).toBeGreaterThanOrEqual(1);

      await elsewhere.query('COMMIT');
      const served = await waitFor(async () => {
        const answer = await admin.get<EventPage>(tagged(tag, `&order=asc&after=${page.body.nextCursor}`));
        return answer.body.items.length > 0 ? answer.body : undefined;
      });
      expect(idsOf(served)).toEqual([held]);
      expect(served.heldBack).toBeUndefined();
    } finally {
      await elsewhere.end();
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
    for (const path of [
      '/events',
      '/events/feed/head',
      '/events/{id}',
      '/events/{id}/replay',
      '/runs',
      '/runs/{id}',
      '/dead-letters',
      '/dead-letters/{id}',
    ]) {
      expect(openapi.paths[path]).toBeDefined();
    }
    expect(Object.keys(openapi.paths['/dead-letters/replay'].post)).toEqual(expect.arrayContaining(['requestBody', 'responses']));
    const eventFilters = openapi.paths['/events'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(eventFilters.sort()).toEqual(['after', 'from', 'limit', 'order', 'payload', 'source', 'status', 'to', 'type']);
    const deadLetterFilters = openapi.paths['/dead-letters'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(deadLetterFilters.sort()).toEqual(['after', 'cause', 'destination', 'error', 'from', 'limit', 'rule', 'source', 'status', 'to']);
    expect(openapi.components.schemas.EventDetailView.properties).toHaveProperty('headers');
    expect(openapi.components.schemas.EventDetailView.properties).toHaveProperty('payload');
    expect(openapi.components.schemas.EventSummaryView.properties).not.toHaveProperty('payload');
  });
});
