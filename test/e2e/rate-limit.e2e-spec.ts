import { BuiltApp } from '../support/built-app';
import { Answer, deliver, sleep } from '../support/deliveries';
import { scrapeMetrics } from '../support/prometheus';
import { hmacSource, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { REDIS_URL } from '../support/test-env';
import { TestStack } from '../support/test-stack';

const BURST = 6;
const PER_SECOND = 2;
const FAILURE_BURST = 3;

/**
 * Two ingest processes (built, as deployed) share one Redis prefix: the limits hold across them,
 * answer 429 with Retry-After once over, and recover.
 */
describe('rate limits shared by every ingest process', () => {
  let stack: TestStack;
  let ingests: BuiltApp[] = [];

  beforeAll(async () => {
    // The stack provides the database, Redis prefix and rules directory; its in-process ingest stays idle.
    stack = await TestStack.start({
      rules: {
        'sources.yaml': rulesFile(
          [
            hmacSource('limited', `    rateLimit: { perSecond: ${PER_SECOND}, burst: ${BURST} }\n`),
            hmacSource('open'),
            hmacSource('office', `    allowIps: ["203.0.113.0/24"]\n    rateLimit: { perSecond: 0.1, burst: 2 }\n`),
          ],
          [],
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
      HOOKFLOW_VERIFICATION_RATE_LIMIT_PER_SECOND: '2',
      HOOKFLOW_VERIFICATION_RATE_LIMIT_BURST: String(FAILURE_BURST),
      // Only the allowIps test sends X-Forwarded-For; the others are seen from the peer's address.
      HOOKFLOW_TRUSTED_PROXIES: '127.0.0.1',
      LOG_LEVEL: 'silent',
    };
    ingests = await Promise.all([BuiltApp.start('ingest', env), BuiltApp.start('ingest', env)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(ingests.map((ingest) => ingest.stop()));
    await stack?.close();
  });

  /** Delivers `count` bodies one after the other, alternating between the two processes. */
  async function alternate(count: number, send: (ingestUrl: string) => Promise<Answer>): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let index = 0; index < count; index += 1) answers.push(await send(ingests[index % 2]!.url));
    return answers;
  }

  it('holds a source’s limit across both processes, answers 429 with Retry-After beyond it, and recovers', async () => {
    const started = Date.now();
    const answers = await alternate(16, (url) => deliver(url, 'limited', orderEvent(), { secret: SECRET }));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const accepted = answers.filter((answer) => answer.status === 202);
    const limited = answers.filter((answer) => answer.status === 429);
    expect(accepted.length + limited.length).toBe(answers.length);
    // One bucket for both: each process alone would have taken a burst of its own.
    expect(accepted.length).toBeGreaterThanOrEqual(BURST);
    expect(accepted.length).toBeLessThanOrEqual(BURST + Math.ceil(elapsedSeconds * PER_SECOND));
    expect(answers.slice(0, BURST).every((answer) => answer.status === 202)).toBe(true);
    for (const answer of limited) {
      expect(answer.body).toMatchObject({ error: 'rate_limited', message: expect.stringContaining(`rate limit of ${PER_SECOND}`) });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(answers.map((answer, index) => `${index % 2}:${answer.status}`))).toEqual(new Set(['0:202', '1:202', '0:429', '1:429']));
    const stored = await stack.query<{ count: string }>("SELECT count(*) FROM events WHERE source_id = 'limited'");
    expect(Number(stored[0]?.count)).toBe(accepted.length);

    // Once the sender has waited as told, deliveries are accepted again.
    await sleep(Number(limited[limited.length - 1]!.headers.get('retry-after')) * 1000);
    expect((await deliver(ingests[0]!.url, 'limited', orderEvent(), { secret: SECRET })).status).toBe(202);
    expect((await deliver(ingests[1]!.url, 'open', orderEvent(), { secret: SECRET })).status).toBe(202);
  });

  it('refuses an address whose deliveries keep failing verification, before verifying, until its strict limit refills', async () => {
    const answers = await alternate(8, (url) => deliver(url, 'open', orderEvent(), { secret: 'wrong-secret' }));
    expect(answers.slice(0, FAILURE_BURST).map((answer) => answer.status)).toEqual([401, 401, 401]);
    for (const answer of answers.slice(-3)) {
      expect(answer).toMatchObject({ status: 429, body: { error: 'verification_rate_limited' } });
      expect(answer.headers.get('retry-after')).toBe('1');
    }
    // Its signed deliveries too: they come from the address that keeps failing.
    expect((await deliver(ingests[0]!.url, 'open', orderEvent(), { secret: SECRET })).status).toBe(429);
    await sleep(1_000);
    expect((await deliver(ingests[1]!.url, 'open', orderEvent(), { secret: SECRET })).status).toBe(202);
  });

  it('refuses an address outside allowIps before the limit, so its deliveries take none of the source’s tokens', async () => {
    const outside = await alternate(6, (url) =>
      deliver(url, 'office', orderEvent(), { secret: SECRET, headers: { 'x-forwarded-for': '198.51.100.1' } }),
    );
    expect(outside.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403, 403]);
    const inside = await alternate(2, (url) =>
      deliver(url, 'office', orderEvent(), { secret: SECRET, headers: { 'x-forwarded-for': '203.0.113.9' } }),
    );
    expect(inside.map((answer) => answer.status)).toEqual([202, 202]);
  });

  it('counts refusals of each limit under their own reason codes', async () => {
    for (const ingest of ingests) {
      const metrics = await scrapeMetrics(ingest.url);
      expect(
        metrics.value('hookflow_ingest_requests_total{source="limited",outcome="rejected",reason="rate_limited",status="429"}'),
      ).toBeGreaterThan(0);
      expect(
        metrics.value('hookflow_ingest_requests_total{source="open",outcome="rejected",reason="verification_rate_limited",status="429"}'),
      ).toBeGreaterThan(0);
    }
  });
});
