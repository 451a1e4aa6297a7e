import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';
import { runsInFlight } from './support/probes';

/** Issue 7, scenario 1: an engine dies mid-run (SIGKILL) and is restarted; BullMQ's stalled check gives its jobs back. */
describe('an engine killed with SIGKILL mid-run, then restarted', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('loses no accepted delivery and doubles no effect', async () => {
    // A receiver that takes 100 ms keeps runs in flight when the engine dies.
    const started = await FaultWorld.start({ receiver: () => ({ status: 200, delayMs: 100 }) });
    world = started;
    const stream = DeliveryStream.start({ count: 400, ratePerSecond: 80, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_000);

    const startedAt = Date.now();
    const running = await runsInFlight(started);
    await started.signal(started.engines[0], 'SIGKILL').waitForExit();
    await started.startEngine(0);
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt: Date.now() });

    await report(started, stream, '1. engine SIGKILL mid-run, restarted', result, [`${running} runs running at the kill`]);
  }, 240_000);
});
