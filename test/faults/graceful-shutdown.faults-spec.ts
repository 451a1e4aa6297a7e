import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';

/** The shutdown grace the apps run with here, so that slow runs outlast it and are handed back. */
const GRACE_MS = 3_000;
/** How long deliveries still go to the signalled ingest. */
const LOAD_BALANCER_LAG_MS = 1_000;
/** Every 80th call to the receiver takes this long: longer than the grace. */
const SLOW_CALL_MS = 6_000;

/**
 * Issue 7, scenario 8: SIGTERM to an ingest and an engine under load (two of each, as in a rolling
 * restart; the load balancer stops sending to the ingest a second after it is signalled).
 * Deliveries in flight finish, new ones are turned away with 503; runs in flight finish within
 * HOOKFLOW_SHUTDOWN_GRACE or are handed back to the queue, where the other engine takes them at
 * once; both processes exit within a bounded time.
 */
describe('graceful shutdown (SIGTERM) of an ingest and an engine under load', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('finishes requests in flight, finishes or hands back runs in flight, and exits in bounded time', async () => {
    const started = await FaultWorld.start({
      ingests: 2,
      engines: 1,
      // info: ingest logs how many deliveries it had in progress when signalled, and that it answered them.
      env: { HOOKFLOW_SHUTDOWN_GRACE: `${GRACE_MS}ms`, HOOKFLOW_ENGINE_CONCURRENCY: '20', LOG_LEVEL: 'info' },
      receiver: (index) => ({ status: 200, delayMs: index % 80 === 79 ? SLOW_CALL_MS : 100 }),
    });
    world = started;
    const stream = DeliveryStream.start({ count: 1200, ratePerSecond: 80, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_500);
    // A rolling restart: the new engine is up before the old one is told to stop, which then
    // holds every run in flight (slow calls among them).
    await started.addEngine();

    const ingest = started.ingests[0];
    const engine = started.engines[0];
    const stoppedUrl = started.ingestUrls()[0];
    const startedAt = Date.now();
    started.signal(ingest, 'SIGTERM');
    started.signal(engine, 'SIGTERM');
    const exits = [ingest, engine].map(async (app) => ({ ...(await app!.waitForExit()), seconds: (Date.now() - startedAt) / 1000 }));
    // The load balancer notices a second later: until then deliveries still reach the stopping ingest.
    await sleep(LOAD_BALANCER_LAG_MS);
    started.drained.add(0);
    const [ingestExit, engineExit] = await Promise.all(exits);
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt: Date.now() });

    // Ingest's own account: the deliveries it had begun when signalled all got their answer.
    const drained = /the (\d+) in progress were answered/.exec(ingest?.output ?? '');
    // The sender's: tries without an answer were written on a kept-alive connection as ingest closed
    // it, so ingest never read them; the sender retried them on the other ingest (none is lost).
    const unanswered = stream.attempts().filter((attempt) => attempt.target === stoppedUrl && attempt.status === undefined);
    const turnedAway = stream.attempts().filter((attempt) => attempt.target === stoppedUrl && attempt.status === 503).length;
    const handedBack = /handed (\d+) running job/.exec(engine?.output ?? '')?.[1] ?? '0';
    await report(started, stream, '8. SIGTERM to an ingest and an engine under load', result, [
      `ingest exited in ${ingestExit?.seconds.toFixed(1)} s: its ${drained?.[1]} deliveries in progress answered, ${turnedAway} turned away with 503, ${unanswered.length} tries reset unread`,
      `engine exited in ${engineExit?.seconds.toFixed(1)} s, ${handedBack} runs handed back`,
    ]);
    expect(drained).not.toBeNull();
    expect(Number(handedBack)).toBeGreaterThan(0);
    expect(ingest?.output).not.toMatch(/still in progress after the shutdown grace/);
    for (const exit of [ingestExit, engineExit]) {
      expect(exit?.code === 0 || exit?.signal === 'SIGTERM').toBe(true);
      expect(exit?.seconds).toBeLessThan(GRACE_MS / 1000 + 7);
    }
  }, 240_000);
});
