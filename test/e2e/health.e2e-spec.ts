import { MIGRATIONS } from '@hookflow/migrations';
import { waitFor } from '../support/deliveries';
import { rulesFile, hmacSource } from '../support/rule-files';
import { TcpProxy } from '../support/tcp-proxy';
import { TestStack } from '../support/test-stack';

async function probe(appUrl: string, path: '/healthz' | '/readyz'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${appUrl}${path}`);
  return { status: response.status, body: await response.json() };
}

const READY = {
  status: 'ok',
  details: { database: { status: 'up' }, redis: { status: 'up' }, migrations: { status: 'up' } },
};

describe('/healthz and /readyz', () => {
  let stack: TestStack;
  let redis: TcpProxy;

  beforeAll(async () => {
    redis = await TcpProxy.start('127.0.0.1', 6379);
    stack = await TestStack.start({
      rules: { 'sources.yaml': rulesFile([hmacSource('shop')], []) },
      ingestVia: { redis: redis.address },
      admin: true,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.down();
  });

  const engineUrl = (): string => {
    const address = stack.engine?.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the engine is not listening');
    return `http://127.0.0.1:${address.port}`;
  };

  it('answers ready on every app when PostgreSQL, Redis and the migrations are in place', async () => {
    for (const url of [stack.ingestUrl, engineUrl(), stack.adminUrl]) {
      expect(await probe(url, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await probe(url, '/readyz')).toMatchObject({ status: 200, body: READY });
    }
  });

  it('answers 503 naming Redis while the app cannot reach it, stays alive, and is ready again once Redis is back', async () => {
    await redis.down();
    try {
      const answer = await waitFor(
        async () => {
          const ready = await probe(stack.ingestUrl, '/readyz');
          return ready.status === 503 && ready;
        },
        10_000,
        'ingest to report Redis down',
      );
      expect(answer.body).toMatchObject({
        status: 'error',
        error: { redis: { status: 'down' } },
        details: { database: { status: 'up' }, redis: { status: 'down', message: expect.any(String) }, migrations: { status: 'up' } },
      });
      expect(await probe(stack.ingestUrl, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
      // The other apps reach Redis directly, not through the cut proxy.
      expect((await probe(engineUrl(), '/readyz')).status).toBe(200);
    } finally {
      await redis.up();
    }
    await waitFor(async () => (await probe(stack.ingestUrl, '/readyz')).status === 200, 15_000, 'ingest to be ready again');
  });

  it('answers 503 listing the pending migrations when the database is behind this build', async () => {
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.name;
    const [row] = await stack.query<{ id: number; timestamp: string; name: string }>('DELETE FROM migrations WHERE name = $1 RETURNING *', [
      latest,
    ]);
    try {
      const answer = await probe(stack.adminUrl, '/readyz');
      expect(answer).toMatchObject({
        status: 503,
        body: { status: 'error', error: { migrations: { status: 'down', pending: [latest] } }, details: { database: { status: 'up' } } },
      });
    } finally {
      await stack.query('INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)', [row!.id, row!.timestamp, row!.name]);
    }
    expect((await probe(stack.adminUrl, '/readyz')).status).toBe(200);
  });
});
