import { RejectionLog } from '@hookflow/ingest';
import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

const LOG_SIZE = 10;

/** GET /sources/:id/health: activity, run outcomes, refused deliveries by reason, silence. */
describe('admin API: source health', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let admin: AdminClient;

  beforeAll(async () => {
    // /ok succeeds; /refuse answers 400, which fails a run at once.
    receiver = await TestReceiver.start(() => ({ status: 200 }));
    receiver.answer((index) => ({ status: receiver.requests[index]?.url === '/refuse' ? 400 : 200 }));
    stack = await TestStack.start({
      rules: {
        'health.yaml': rulesFile(
          [
            hmacSource('shop'),
            hmacSource('quiet', '    expectEvery: 15m\n'),
            hmacSource('flaky'),
            '  - { id: late, provider: none, enabled: false }\n',
          ],
          [
            httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}/ok` }]),
            httpRule('audit', 'shop', [{ id: 'post', url: `${receiver.url}/refuse` }], { when: 'payload.total > 1000' }),
          ],
        ),
      },
      env: { HOOKFLOW_REJECTION_LOG_SIZE: String(LOG_SIZE) },
      admin: true,
    });
    admin = new AdminClient(stack.adminUrl, await stack.createApiKey('read'));
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  /** The health report, once every rejection ingest has recorded so far is written. */
  async function health(sourceId: string): Promise<{ status: number; body: any }> {
    await stack.ingest!.get(RejectionLog).flushed();
    return admin.get(`/sources/${sourceId}/health`);
  }

  async function finishedRuns(): Promise<number> {
    const [row] = await stack.query<{ count: number }>(`SELECT count(*)::int AS count FROM runs WHERE status IN ('succeeded', 'failed')`);
    return row?.count ?? 0;
  }

  it('counts events, run outcomes and refused deliveries by reason over the last hour and day', async () => {
    for (const total of [250, 250, 5000]) {
      expect((await deliver(stack.ingestUrl, 'shop', orderEvent({ total }), { secret: SECRET })).status).toBe(202);
    }
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent())).status).toBe(401);
    await waitFor(async () => (await finishedRuns()) === 4, 15_000, 'four finished runs');

    const answer = await health('shop');
    expect(answer.status).toBe(200);
    const window = {
      events: 3,
      runsSucceeded: 3,
      runsFailed: 1,
      runsInProgress: 0,
      failureRate: 0.25,
      rejected: { total: 3, byReason: { missing_signature: 1, signature_mismatch: 2 }, truncated: false },
    };
    expect(answer.body).toEqual({
      source: 'shop',
      provider: 'hmac',
      enabled: true,
      checkedAt: expect.any(String),
      lastReceivedAt: expect.any(String),
      expectEvery: null,
      silent: false,
      lastHour: { since: expect.any(String), ...window },
      lastDay: { since: expect.any(String), ...window },
    });
    const checkedAt = Date.parse(answer.body.checkedAt);
    expect(Math.abs(checkedAt - Date.now())).toBeLessThan(5_000);
    expect(checkedAt - Date.parse(answer.body.lastHour.since)).toBe(3_600_000);
    expect(checkedAt - Date.parse(answer.body.lastDay.since)).toBe(86_400_000);
    const [latest] = await stack.query<{ received_at: Date }>(
      `SELECT max(received_at) AS received_at FROM events WHERE source_id = 'shop'`,
    );
    expect(answer.body.lastReceivedAt).toBe(latest!.received_at.toISOString());
  });

  it('lists the rejection log of a source, newest first, page by page, without bodies or credentials', async () => {
    await stack.ingest!.get(RejectionLog).flushed();
    const first = await admin.get('/sources/shop/rejections?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      {
        id: expect.any(String),
        reason: 'missing_signature',
        status: 401,
        message: expect.any(String),
        clientIp: '127.0.0.1',
        createdAt: expect.any(String),
        diagnostics: {
          provider: 'hmac',
          signatureHeader: 'x-webhook-signature',
          bodyBytes: expect.any(Number),
          bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          contentType: 'application/json',
        },
      },
      expect.objectContaining({ reason: 'signature_mismatch', status: 401 }),
    ]);
    const second = await admin.get(`/sources/shop/rejections?limit=2&after=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ reason: 'signature_mismatch' })], nextCursor: null });
    expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[1].id));
    expect(JSON.stringify([first.body, second.body])).not.toContain('not-the-secret');

    expect((await admin.get('/sources/nowhere/rejections')).status).toBe(404);
    expect(await admin.get('/sources/shop/rejections?after=bogus')).toMatchObject({ status: 400, body: { details: [{ path: 'after' }] } });
  });

  it('counts what happened two hours ago in the last day only', async () => {
    const [failed] = await stack.query<{ event_id: string }>(`SELECT event_id FROM runs WHERE status = 'failed'`);
    await stack.query(`UPDATE events SET received_at = received_at - interval '2 hours' WHERE id = $1`, [failed!.event_id]);
    await stack.query(`UPDATE runs SET created_at = created_at - interval '2 hours' WHERE event_id = $1`, [failed!.event_id]);
    await stack.query(
      `UPDATE ingest_rejections SET created_at = created_at - interval '2 hours'
        WHERE id = (SELECT min(id) FROM ingest_rejections WHERE source_id = 'shop' AND reason = 'signature_mismatch')`,
    );
    await stack.query(
      `UPDATE ingest_rejections SET created_at = created_at - interval '2 days' WHERE source_id = 'shop' AND reason = 'missing_signature'`,
    );

    const { body } = await health('shop');
    expect(body.lastHour).toMatchObject({
      events: 2,
      runsSucceeded: 2,
      runsFailed: 0,
      failureRate: 0,
      rejected: { total: 1, byReason: { signature_mismatch: 1 }, truncated: false },
    });
    expect(body.lastDay).toMatchObject({
      events: 3,
      runsSucceeded: 3,
      runsFailed: 1,
      failureRate: 0.25,
      rejected: { total: 2, byReason: { signature_mismatch: 2 }, truncated: false },
    });
  });

  it('shows deliveries refused as an unknown source, made while the source was disabled', async () => {
    expect((await deliver(stack.ingestUrl, 'late', orderEvent())).status).toBe(404);
    const { status, body } = await health('late');
    expect(status).toBe(200);
    expect(body).toMatchObject({ source: 'late', provider: 'none', enabled: false, lastReceivedAt: null, silent: false });
    expect(body.lastHour).toEqual({
      since: expect.any(String),
      events: 0,
      runsSucceeded: 0,
      runsFailed: 0,
      runsInProgress: 0,
      failureRate: null,
      rejected: { total: 1, byReason: { unknown_source: 1 }, truncated: false },
    });
  });

  it('answers 404 for a source that does not exist, even when deliveries to its id were refused', async () => {
    expect((await deliver(stack.ingestUrl, 'nobody', orderEvent())).status).toBe(404);
    expect(await health('nobody')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'source "nobody" does not exist' },
    });
  });

  it('flips silent when a source with expectEvery has had no event, or none since its creation, for longer than that', async () => {
    const quiet = async (): Promise<boolean> => {
      const { body } = await health('quiet');
      expect(body.expectEvery).toBe('15m');
      return body.silent as boolean;
    };
    expect(await quiet()).toBe(false); // created moments ago, nothing received yet

    await stack.query(`UPDATE sources SET created_at = now() - interval '20 minutes' WHERE id = 'quiet'`);
    expect(await quiet()).toBe(true);

    expect((await deliver(stack.ingestUrl, 'quiet', orderEvent(), { secret: SECRET })).status).toBe(202);
    expect(await quiet()).toBe(false);

    await stack.query(`UPDATE events SET received_at = received_at - interval '14 minutes' WHERE source_id = 'quiet'`);
    expect(await quiet()).toBe(false);
    await stack.query(`UPDATE events SET received_at = received_at - interval '2 minutes' WHERE source_id = 'quiet'`);
    expect(await quiet()).toBe(true);

    // Refused deliveries are not the source receiving.
    expect((await deliver(stack.ingestUrl, 'quiet', orderEvent(), { secret: 'not-the-secret' })).status).toBe(401);
    expect(await quiet()).toBe(true);
  });

  it('never calls a source without expectEvery silent', async () => {
    await stack.query(`UPDATE sources SET created_at = now() - interval '30 days' WHERE id = 'flaky'`);
    expect((await health('flaky')).body).toMatchObject({ expectEvery: null, lastReceivedAt: null, silent: false });
  });

  it('says the counts are lower bounds when the log of the source is full and younger than the window', async () => {
    for (let index = 0; index < LOG_SIZE; index++) await deliver(stack.ingestUrl, 'flaky', orderEvent());
    const full = await health('flaky');
    expect(full.body.lastHour.rejected).toEqual({ total: LOG_SIZE, byReason: { missing_signature: LOG_SIZE }, truncated: true });
    expect(full.body.lastDay.rejected.truncated).toBe(true);

    // The oldest row kept predates the last hour: nothing of that window was pruned; the day's start was.
    await stack.query(
      `UPDATE ingest_rejections SET created_at = now() - interval '3 hours' WHERE id = (SELECT min(id) FROM ingest_rejections WHERE source_id = 'flaky')`,
    );
    const { body } = await health('flaky');
    expect(body.lastHour.rejected).toEqual({ total: LOG_SIZE - 1, byReason: { missing_signature: LOG_SIZE - 1 }, truncated: false });
    expect(body.lastDay.rejected).toEqual({ total: LOG_SIZE, byReason: { missing_signature: LOG_SIZE }, truncated: true });
  });

  it('needs an API key, and a read key is enough', async () => {
    expect((await admin.withKey(undefined).get('/sources/shop/health')).status).toBe(401);
    expect((await admin.get('/sources/shop/health')).status).toBe(200);
  });

  it('is described in the OpenAPI document', async () => {
    const { body } = await admin.get('/openapi.json');
    const operation = body.paths['/sources/{id}/health'].get;
    expect(operation.summary).toBe("A source's health");
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SourceHealthView' });
  });
});
