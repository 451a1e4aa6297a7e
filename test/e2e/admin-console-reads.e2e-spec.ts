import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

const FAST_RETRY = '{ attempts: 2, backoff: fixed, delay: 20ms }';

/** The read endpoints the console draws from: dead letters grouped and searched, run counts, a source's timeline. */
describe('admin API: the console reads', () => {
  let stack: TestStack;
  let down: TestReceiver;
  let refusing: TestReceiver;
  let reader: AdminClient;

  beforeAll(async () => {
    [down, refusing] = await Promise.all([
      TestReceiver.start(() => ({ status: 503, body: 'maintenance' })),
      TestReceiver.start(() => ({ status: 422, body: 'no such customer' })),
    ]);
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop'), hmacSource('crm')],
          [
            httpRule('forward', 'shop', [{ id: 'post', url: `${down.url}/orders` }], { retry: FAST_RETRY }),
            httpRule('sync', 'crm', [{ id: 'push', url: `${refusing.url}/contacts` }], { retry: FAST_RETRY }),
          ],
        ),
      },
      env: { HOOKFLOW_CIRCUIT_FAILURES: '0' },
      admin: true,
    });
    reader = new AdminClient(stack.adminUrl, await stack.createApiKey('read'));
    for (let index = 0; index < 2; index += 1) await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET });
    await deliver(stack.ingestUrl, 'crm', orderEvent(), { secret: SECRET });
    await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: 'not-the-secret' });
    await waitFor(async () => (await reader.get('/dead-letters?status=pending')).body.items.length === 3, 20_000, 'three dead letters');
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([down?.close(), refusing?.close()]);
  });

  const host = (receiver: TestReceiver): string => new URL(receiver.url).host;

  it('counts dead letters by cause and by the host the failed step called', async () => {
    const answer = await reader.get('/dead-letters/groups?status=pending');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      total: 3,
      byCause: [
        { cause: 'destination_5xx', count: 2 },
        { cause: 'destination_4xx', count: 1 },
      ],
      byDestination: [
        { destination: host(down), count: 2 },
        { destination: host(refusing), count: 1 },
      ],
    });
  });

  it('lists each dead letter with its destination, and filters by destination and by text of the error', async () => {
    const all = await reader.get('/dead-letters');
    expect(all.body.items.map((item: { destination: string }) => item.destination).sort()).toEqual(
      [host(down), host(down), host(refusing)].sort(),
    );

    const byHost = await reader.get(`/dead-letters?destination=${encodeURIComponent(host(refusing))}`);
    expect(byHost.body.items).toHaveLength(1);
    expect(byHost.body.items[0]).toMatchObject({ ruleId: 'sync', cause: 'destination_4xx' });

    const byText = await reader.get(`/dead-letters?error=${encodeURIComponent('ANSWERED 503')}`);
    expect(byText.body.items).toHaveLength(2);
    // LIKE wildcards in the text are plain characters.
    expect((await reader.get('/dead-letters?error=%25')).body.items).toHaveLength(0);
    expect((await reader.get('/dead-letters/groups?error=422')).body.total).toBe(1);
  });

  it('counts a bulk replay by the same filters (dry run)', async () => {
    const answer = await reader.post('/dead-letters/replay', { filter: { error: 'answered 503' }, dryRun: true });
    expect(answer.body).toEqual({ count: 2 });
  });

  it('counts runs by rule and status', async () => {
    const answer = await reader.get('/runs/counts');

    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([
      { ruleId: 'forward', status: 'failed', count: 2 },
      { ruleId: 'sync', status: 'failed', count: 1 },
    ]);
    expect((await reader.get('/runs/counts?rule=sync')).body.items).toEqual([{ ruleId: 'sync', status: 'failed', count: 1 }]);
    expect((await reader.get(`/runs/counts?from=${new Date(Date.now() + 60_000).toISOString()}`)).body.items).toEqual([]);
  });

  it("draws a source's timeline in aligned intervals, received, failed and rejected", async () => {
    await waitFor(async () => (await reader.get('/sources/shop/rejections')).body.items.length === 1, 10_000, 'the rejection log');
    const answer = await reader.get('/sources/shop/activity?window=1h');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ source: 'shop', window: '1h', bucket: '5m' });
    expect(answer.body.buckets).toHaveLength(12);
    const totals = (answer.body.buckets as { events: number; runsFailed: number; rejected: number; start: string }[]).reduce(
      (sum, bucket) => ({
        events: sum.events + bucket.events,
        failed: sum.failed + bucket.runsFailed,
        rejected: sum.rejected + bucket.rejected,
      }),
      { events: 0, failed: 0, rejected: 0 },
    );
    expect(totals).toEqual({ events: 2, failed: 2, rejected: 1 });
    expect(new Date(answer.body.buckets[0].start).getTime() % (5 * 60_000)).toBe(0);
    expect((await reader.get('/sources/shop/activity')).body.buckets).toHaveLength(24);
    expect((await reader.get('/sources/shop/activity?window=2h')).status).toBe(400);
    expect((await reader.get('/sources/nope/activity')).status).toBe(404);
  });
});
