import { RejectionLog } from '@hookflow/ingest';
import { IngestRejectionsRepository } from '@hookflow/persistence';
import { Logger } from '@nestjs/common';
import { deliver, waitFor } from '../support/deliveries';
import { hmacSource, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

const LOG_SIZE = 20;

interface RejectionRow extends Record<string, unknown> {
  source_id: string;
  reason: string;
  status: number;
  message: string;
  client_ip: string | null;
}

/** Every refused delivery leaves a row in the capped rejection log, written off the request path. */
describe('the ingest rejection log', () => {
  let stack: TestStack;
  let log: RejectionLog;

  beforeAll(async () => {
    stack = await TestStack.start({
      rules: {
        'sources.yaml': rulesFile(
          [
            hmacSource('shop'),
            hmacSource('fenced', '    allowIps: ["203.0.113.0/24"]\n'),
            hmacSource('flooded'),
            '  - { id: paused, provider: none, enabled: false }\n',
          ],
          [],
        ),
      },
      env: {
        HOOKFLOW_BODY_LIMIT: '4kb',
        HOOKFLOW_REJECTION_LOG_SIZE: String(LOG_SIZE),
        // The flood below is about the log's cap; the limit on verification failures has rate-limit.e2e-spec.
        HOOKFLOW_VERIFICATION_RATE_LIMIT_PER_SECOND: '0',
      },
      engine: false,
    });
    log = stack.ingest!.get(RejectionLog);
  });
  afterAll(() => stack?.close());

  beforeEach(() => stack.query('DELETE FROM ingest_rejections'));

  async function rows(sourceId?: string): Promise<RejectionRow[]> {
    await log.flushed();
    return sourceId === undefined
      ? stack.query<RejectionRow>('SELECT * FROM ingest_rejections ORDER BY id')
      : stack.query<RejectionRow>('SELECT * FROM ingest_rejections WHERE source_id = $1 ORDER BY id', [sourceId]);
  }

  it('records each refused delivery with the source id of its URL, its reason, status, message and client address', async () => {
    const answers = [
      await deliver(stack.ingestUrl, 'shop', orderEvent(), { headers: { 'x-webhook-signature': `sha256=${'ab'.repeat(32)}` } }),
      await deliver(stack.ingestUrl, 'shop', orderEvent()),
      await deliver(stack.ingestUrl, 'no-such-source', orderEvent(), { secret: SECRET }),
      await deliver(stack.ingestUrl, 'paused', orderEvent()),
      await deliver(stack.ingestUrl, 'fenced', orderEvent(), { secret: SECRET }),
      await deliver(stack.ingestUrl, 'shop', orderEvent({ padding: 'x'.repeat(5_000) }), { secret: SECRET }),
      await deliver(stack.ingestUrl, 'shop', '{"id": "x", "type": ', { secret: SECRET }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 404, 404, 403, 413, 400]);

    expect(
      (await rows()).map(({ source_id, reason, status, message, client_ip }) => ({ source_id, reason, status, message, client_ip })),
    ).toEqual([
      {
        source_id: 'shop',
        reason: 'signature_mismatch',
        status: 401,
        message: 'header x-webhook-signature does not match the content signed with any configured secret',
        client_ip: '127.0.0.1',
      },
      {
        source_id: 'shop',
        reason: 'missing_signature',
        status: 401,
        message: 'header x-webhook-signature is missing',
        client_ip: '127.0.0.1',
      },
      {
        source_id: 'no-such-source',
        reason: 'unknown_source',
        status: 404,
        message: 'no enabled source "no-such-source"',
        client_ip: '127.0.0.1',
      },
      { source_id: 'paused', reason: 'unknown_source', status: 404, message: 'no enabled source "paused"', client_ip: '127.0.0.1' },
      {
        source_id: 'fenced',
        reason: 'ip_not_allowed',
        status: 403,
        message: "client address 127.0.0.1 is not in the source's allowIps",
        client_ip: '127.0.0.1',
      },
      {
        source_id: 'shop',
        reason: 'body_too_large',
        status: 413,
        message: 'request body is over the size limit (HOOKFLOW_BODY_LIMIT)',
        client_ip: '127.0.0.1',
      },
      { source_id: 'shop', reason: 'invalid_json', status: 400, message: answers[6]!.body.message, client_ip: '127.0.0.1' },
    ]);
  });

  it('never keeps the body, the headers or a secret', async () => {
    const body = orderEvent({ marker: 'body-marker-5b1d' });
    const signature = `sha256=${'cd'.repeat(32)}`;
    await deliver(stack.ingestUrl, 'shop', body, { headers: { 'x-webhook-signature': signature, 'x-private': 'header-marker-77e0' } });
    const stored = JSON.stringify(await rows());
    expect(stored).toContain('signature_mismatch');
    for (const secretOrContent of ['body-marker-5b1d', 'header-marker-77e0', 'cd'.repeat(32), SECRET]) {
      expect(stored).not.toContain(secretOrContent);
    }
  });

  it('records nothing for accepted deliveries, for other routes, or for other methods', async () => {
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET })).status).toBe(202);
    expect((await fetch(`${stack.ingestUrl}/hooks/shop`, { method: 'GET' })).status).toBe(404);
    expect((await fetch(`${stack.ingestUrl}/elsewhere`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(await rows()).toEqual([]);
  });

  it('answers a flood of bad deliveries as usual, and keeps only the newest rows of each source', async () => {
    const answers = await Promise.all(
      Array.from({ length: 120 }, () => deliver(stack.ingestUrl, 'flooded', orderEvent(), { secret: 'wrong-secret' })),
    );
    expect(answers.every((answer) => answer.status === 401)).toBe(true);
    await deliver(stack.ingestUrl, 'shop', orderEvent());
    const written = await rows();
    // The writer prunes each time it has written as many rows as a source may keep.
    expect(written.filter((row) => row.source_id === 'flooded').length).toBeLessThan(2 * LOG_SIZE);
    expect(written.filter((row) => row.source_id === 'shop')).toHaveLength(1);

    const newest = (await rows('flooded')).slice(-LOG_SIZE).map((row) => row.id);
    await stack.ingest!.get(IngestRejectionsRepository).prune({ maxPerSource: LOG_SIZE, olderThan: new Date(0) });
    expect((await rows('flooded')).map((row) => row.id)).toEqual(newest);
    expect(await rows('shop')).toHaveLength(1);
  });

  it('caps deliveries to ids that name no source together, so made-up ids cannot grow the log', async () => {
    await Promise.all(
      Array.from({ length: LOG_SIZE + 15 }, (_, index) => deliver(stack.ingestUrl, `made-up-${index}`, orderEvent(), { secret: SECRET })),
    );
    await deliver(stack.ingestUrl, 'shop', orderEvent());
    await log.flushed();
    await stack.ingest!.get(IngestRejectionsRepository).prune({ maxPerSource: LOG_SIZE, olderThan: new Date(0) });
    const kept = await rows();
    expect(kept.filter((row) => row.source_id.startsWith('made-up-'))).toHaveLength(LOG_SIZE);
    expect(kept.filter((row) => row.source_id === 'shop')).toHaveLength(1);
  });

  it('drops rows older than the retention when pruning', async () => {
    await deliver(stack.ingestUrl, 'shop', orderEvent());
    await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: 'wrong-secret' });
    const [old] = await rows('shop');
    await stack.query(`UPDATE ingest_rejections SET created_at = now() - interval '8 days' WHERE id = $1`, [old!.id]);

    const pruned = await stack.ingest!.get(IngestRejectionsRepository).prune({
      maxPerSource: LOG_SIZE,
      olderThan: new Date(Date.now() - 7 * 86_400_000),
    });
    expect(pruned).toEqual({ expired: 1, overCap: 0 });
    expect((await rows('shop')).map((row) => row.reason)).toEqual(['signature_mismatch']);
  });

  it('still answers when the log cannot be written, and says so in a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    await stack.query('ALTER TABLE ingest_rejections RENAME TO ingest_rejections_away');
    try {
      const answer = await deliver(stack.ingestUrl, 'shop', orderEvent());
      expect(answer).toMatchObject({ status: 401, body: { error: 'missing_signature' } });
      await waitFor(
        () =>
          warn.mock.calls.some(([message]) =>
            String(message).startsWith(
              'could not write 1 refused deliveries to the rejection log: relation "ingest_rejections" does not exist',
            ),
          ),
        5_000,
        'the warning about the failed write',
      );
    } finally {
      await stack.query('ALTER TABLE ingest_rejections_away RENAME TO ingest_rejections');
      warn.mockRestore();
    }
  });
});
