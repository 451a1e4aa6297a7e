import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';

/**
 * Issue 7, scenario 5: an ingest process killed with SIGKILL under load, then restarted. Events it
 * committed but had not queued yet (the relay works after the answer) are queued by the outbox
 * sweeper; every delivery that got a 2xx is processed.
 */
describe('an ingest process killed with SIGKILL under load', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('processes every delivery that got a 2xx', async () => {
    const started = await FaultWorld.start();
    world = started;
    const stream = DeliveryStream.start({ count: 500, ratePerSecond: 100, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_000);

    const startedAt = Date.now();
    await started.signal(started.ingests[0], 'SIGKILL').waitForExit();
    await started.startIngest(0);
    const endedAt = Date.now();
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt });

    const cut = stream.attempts().filter((attempt) => attempt.error !== undefined && attempt.startedAt < endedAt).length;
    await report(started, stream, '5. ingest SIGKILL under load, restarted', result, [`${cut} tries cut or refused while it was down`]);
    expect(cut).toBeGreaterThan(0);
  }, 240_000);
});
