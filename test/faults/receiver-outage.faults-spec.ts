import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';

/**
 * Issue 7, scenario 6: the action receiver unreachable (connections refused) for 8 s, longer than
 * the first retries, then back. Runs recover through their retries (and the circuit breaker, which
 * holds them without spending attempts); none is dead-lettered, since it is back within the policy.
 */
describe('the action receiver down for longer than the first retries, then back', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('recovers every run through retries, dead-lettering none', async () => {
    const started = await FaultWorld.start();
    world = started;
    const stream = DeliveryStream.start({ count: 500, ratePerSecond: 50, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_000);

    const startedAt = Date.now();
    await started.receiverProxy.down();
    await sleep(8_000);
    await started.receiverProxy.up();
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt: Date.now() });

    const [retried] = await started.query<{ runs: number; attempts: number }>(
      `SELECT count(DISTINCT run_id)::int AS runs, count(*)::int AS attempts FROM step_attempts WHERE status = 'failed'`,
    );
    await report(started, stream, '6. action receiver down 8 s', result, [
      `${retried?.runs} runs retried after ${retried?.attempts} failed tries`,
    ]);
    expect(result.deadLetters).toBe(0);
    expect(retried?.runs).toBeGreaterThan(0);
  }, 240_000);
});
