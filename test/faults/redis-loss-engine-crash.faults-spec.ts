import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';
import { runsInFlight } from './support/probes';

/**
 * Scenario 3b (the runs sweeper's proof): an engine killed mid-run while Redis restarts without its
 * data. The runs it was executing stay `running` with no job anywhere (no stalled check can find a
 * job that is gone): only the runs sweeper, which queues again runs left `running` past
 * HOOKFLOW_SWEEP_GRACE whose job is missing, gets them done.
 */
describe('an engine killed mid-run while Redis loses its data', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('has the runs sweeper queue the abandoned running runs again', async () => {
    const started = await FaultWorld.start({
      receiver: () => ({ status: 200, delayMs: 300 }),
      env: { LOG_LEVEL: 'info' }, // the sweeper logs each run it queues again
    });
    world = started;
    const stream = DeliveryStream.start({ count: 300, ratePerSecond: 60, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_000);

    const startedAt = Date.now();
    const running = await runsInFlight(started);
    await started.signal(started.engines[0], 'SIGKILL').waitForExit();
    await started.redis.stop();
    await sleep(3_000);
    await started.redis.start();
    const engine = await started.startEngine(0);
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt: Date.now() });

    const swept = (engine.output.match(/\(running\) had no job/g) ?? []).length;
    await report(started, stream, '3b. engine SIGKILL while Redis restarts empty', result, [
      `${running} runs running at the kill, ${swept} queued again by the runs sweeper`,
    ]);
    expect(running).toBeGreaterThan(0);
    expect(swept).toBeGreaterThan(0);
  }, 240_000);
});
