import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';
import { runsInFlight } from './support/probes';

/** Issue 7, scenario 2: two engines, one dies (SIGKILL) and stays dead; the other takes its jobs over. */
describe('two engines, one killed with SIGKILL', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('has the other engine finish every run, with no effect doubled', async () => {
    const started = await FaultWorld.start({ engines: 2, receiver: () => ({ status: 200, delayMs: 100 }) });
    world = started;
    const stream = DeliveryStream.start({ count: 400, ratePerSecond: 80, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_000);

    const startedAt = Date.now();
    const running = await runsInFlight(started);
    await started.signal(started.engines[0], 'SIGKILL').waitForExit();
    // Nothing is restarted: the fault is lifted the moment the survivor is alone.
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt: Date.now() });

    await report(started, stream, '2. two engines, one SIGKILLed', result, [`${running} runs running across both at the kill`]);
  }, 240_000);
});
