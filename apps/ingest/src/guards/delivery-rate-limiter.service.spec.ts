import { loadConfig } from '@hookflow/config';
import { deleteRedisKeys } from '../../../../test/support/stores';
import { REDIS_URL } from '../../../../test/support/test-env';
import { IngestRejection } from '../hooks/ingest-rejection';
import { DeliveryRateLimiter } from './delivery-rate-limiter.service';

// Against the real Redis of the test stack: the limit lives in its script, which a mock would not run.
const prefix = `hf-unit-ratelimit-${process.pid}-${Date.now().toString(36)}`;
const limiters: DeliveryRateLimiter[] = [];

function limiter(env: Record<string, string> = {}): DeliveryRateLimiter {
  const created = new DeliveryRateLimiter(
    loadConfig({ NODE_ENV: 'test', REDIS_URL, HOOKFLOW_REDIS_PREFIX: prefix, LOG_LEVEL: 'silent', ...env }),
  );
  limiters.push(created);
  return created;
}

async function refusalOf(admitting: Promise<void>): Promise<IngestRejection | undefined> {
  try {
    await admitting;
    return undefined;
  } catch (error) {
    if (error instanceof IngestRejection) return error;
    throw error;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let sourceCounter = 0;
const newSource = (): string => `source-${(sourceCounter += 1)}`;

afterAll(async () => {
  for (const created of limiters) created.onApplicationShutdown();
  await deleteRedisKeys(`${prefix}:*`);
});

describe('DeliveryRateLimiter', () => {
  it('shares one bucket between processes: the burst is taken once, then 429 rate_limited with Retry-After', async () => {
    const [first, second] = [limiter(), limiter()];
    const source = newSource();
    const limit = { perSecond: 1, burst: 3 };
    const refusals = [];
    for (const process of [first, second, first, second, first]) refusals.push(await refusalOf(process.admit(source, '192.0.2.1', limit)));
    expect(refusals.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(refusals[3]).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'retry-after': '1' } });
    expect(refusals[3]?.message).toContain('rate limit of 1 deliveries per second (burst 3)');
    // Other sources have buckets of their own.
    await expect(second.admit(newSource(), '192.0.2.1', limit)).resolves.toBeUndefined();
  });

  it('refills at the source’s rate, and says how long to wait in whole seconds', async () => {
    const process = limiter();
    const source = newSource();
    await process.admit(source, '192.0.2.1', { perSecond: 20, burst: 1 });
    expect(await refusalOf(process.admit(source, '192.0.2.1', { perSecond: 20, burst: 1 }))).toMatchObject({
      headers: { 'retry-after': '1' },
    });
    await sleep(120);
    await expect(process.admit(source, '192.0.2.1', { perSecond: 20, burst: 1 })).resolves.toBeUndefined();
    const slow = newSource();
    await process.admit(slow, '192.0.2.1', { perSecond: 0.1, burst: 1 });
    const refusal = await refusalOf(process.admit(slow, '192.0.2.1', { perSecond: 0.1, burst: 1 }));
    expect(Number(refusal?.headers['retry-after'])).toBeGreaterThanOrEqual(9);
  });

  it('applies HOOKFLOW_RATE_LIMIT_* to sources without a limit of their own; 0 turns it off', async () => {
    const process = limiter({ HOOKFLOW_RATE_LIMIT_PER_SECOND: '1', HOOKFLOW_RATE_LIMIT_BURST: '1' });
    const source = newSource();
    await process.admit(source, '192.0.2.1', undefined);
    expect(await refusalOf(process.admit(source, '192.0.2.1', undefined))).toMatchObject({ code: 'rate_limited' });
    for (let i = 0; i < 5; i += 1) await process.admit(source, '192.0.2.1', { perSecond: 0, burst: 1 });
  });

  it('refuses an address whose verification failures are over their strict limit, before verifying, and no other address', async () => {
    const process = limiter({ HOOKFLOW_VERIFICATION_RATE_LIMIT_PER_SECOND: '1', HOOKFLOW_VERIFICATION_RATE_LIMIT_BURST: '2' });
    const source = newSource();
    process.chargeVerificationFailure(source, '192.0.2.9');
    process.chargeVerificationFailure(source, '192.0.2.9');
    const refusal = await waitForRefusal(() => process.admit(source, '192.0.2.9', undefined));
    expect(refusal).toMatchObject({ status: 429, code: 'verification_rate_limited', headers: { 'retry-after': '1' } });
    await expect(process.admit(source, '192.0.2.10', undefined)).resolves.toBeUndefined();
    await sleep(1_100);
    await expect(process.admit(source, '192.0.2.9', undefined)).resolves.toBeUndefined();
  });

  it('takes no token of the source for a delivery refused by the verification-failure limit', async () => {
    const process = limiter({ HOOKFLOW_VERIFICATION_RATE_LIMIT_PER_SECOND: '1', HOOKFLOW_VERIFICATION_RATE_LIMIT_BURST: '2' });
    const source = newSource();
    const limit = { perSecond: 0.001, burst: 20 };
    process.chargeVerificationFailure(source, '192.0.2.20');
    process.chargeVerificationFailure(source, '192.0.2.20');
    let taken = 0;
    const refusal = await waitForRefusal(async () => {
      await process.admit(source, '192.0.2.20', limit);
      taken += 1;
    });
    expect(refusal).toMatchObject({ code: 'verification_rate_limited' });
    for (let i = 0; i < 30; i += 1) {
      expect(await refusalOf(process.admit(source, '192.0.2.20', limit))).toMatchObject({ code: 'verification_rate_limited' });
    }
    // The refused address drained nothing: another sender still has the rest of the burst.
    const answers = [];
    for (let i = 0; i < 20 - taken; i += 1) answers.push(await refusalOf(process.admit(source, '192.0.2.21', limit)));
    expect(answers.every((answer) => answer === undefined)).toBe(true);
    expect(await refusalOf(process.admit(source, '192.0.2.21', limit))).toMatchObject({ code: 'rate_limited' });
  });

  it('fails open when Redis does not answer, waiting for it at most once a second', async () => {
    const process = limiter({ REDIS_URL: 'redis://127.0.0.1:1' });
    const source = newSource();
    const started = Date.now();
    await process.admit(source, '192.0.2.1', { perSecond: 1, burst: 1 });
    const firstMs = Date.now() - started;
    for (let i = 0; i < 20; i += 1) await process.admit(source, '192.0.2.1', { perSecond: 1, burst: 1 });
    process.chargeVerificationFailure(source, '192.0.2.1');
    expect(firstMs).toBeLessThan(1_000);
    expect(Date.now() - started - firstMs).toBeLessThan(100);
  });
});

/** A charge is written without being awaited: polls until it shows. */
async function waitForRefusal(admit: () => Promise<void>): Promise<IngestRejection | undefined> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const refusal = await refusalOf(admit());
    if (refusal) return refusal;
    await sleep(10);
  }
  return undefined;
}
