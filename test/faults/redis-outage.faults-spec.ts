import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';

/**
 * Issue 7, scenario 3: Redis stopped for 10 s while deliveries continue, then started again, empty
 * (no persistence): every queue, job and lock is gone. Ingest keeps answering 202 (the commit is
 * what counts); the outbox sweeper queues the committed events again and the runs sweeper the runs.
 */
describe('Redis stopped for 10 s and started again (without its data)', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('accepts throughout and rebuilds the queues from PostgreSQL', async () => {
    const started = await FaultWorld.start({ env: { LOG_LEVEL: 'info' } }); // the outbox sweeper logs what it queues
    world = started;
    const stream = DeliveryStream.start({ count: 600, ratePerSecond: 50, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_000);

    const startedAt = Date.now();
    await started.redis.stop();
    await sleep(10_000);
    await started.redis.start();
    const endedAt = Date.now();
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt });

    const duringOutage = stream.attempts().filter((attempt) => attempt.startedAt >= startedAt && attempt.endedAt <= endedAt);
    const refused = duringOutage.filter((attempt) => attempt.status === undefined || attempt.status >= 300).length;
    const output = started.ingests[0]?.output ?? '';
    const sum = (pattern: RegExp): number => [...output.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
    // Events the relay could not queue while Redis was down, and what the outbox sweeper offered
    // again afterwards (every event still undispatched past the grace; those with a job are kept).
    const notRelayed = sum(/(\d+) committed event\(s\) not queued/g);
    const requeued = sum(/outbox: queued (\d+) committed event/g);
    await report(started, stream, '3. Redis stopped 10 s (data lost)', result, [
      `${duringOutage.length} tries during the outage, ${refused} not 2xx`,
      `${notRelayed} events reported not queued by the relay (one warning per 10 s), ${requeued} event jobs offered again by the outbox sweeper`,
    ]);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(refused).toBe(0);
    expect(requeued).toBeGreaterThan(0);
  }, 240_000);
});
