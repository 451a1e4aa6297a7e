import { sleep } from '../support/deliveries';
import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';

/**
 * Issue 7, scenario 4: PostgreSQL stopped for 10 s under load. Ingest cannot commit, so it answers
 * 503 with Retry-After and never a 2xx; the sender retries; everything accepted is processed. The
 * engine is restarted in the middle of it: it stops in bounded time and waits for PostgreSQL to start.
 */
describe('PostgreSQL stopped for 10 s and started again', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('answers 503 (never 2xx) while it is down, and processes everything accepted', async () => {
    const started = await FaultWorld.start();
    world = started;
    const stream = DeliveryStream.start({ count: 600, ratePerSecond: 50, targets: () => started.ingestUrls(), source: SOURCE });
    await sleep(2_000);

    const startedAt = Date.now();
    await started.postgres.stop();
    const downAt = Date.now();
    // The engine is also stopped and started again during the outage: its stop must stay bounded,
    // and its start-up must wait for PostgreSQL (HOOKFLOW_STARTUP_WAIT) rather than fail.
    const stopped = started.signal(started.engines[0], 'SIGTERM');
    await stopped.waitForExit();
    const engineStopSeconds = (Date.now() - downAt) / 1000;
    const restarted = started.startEngine(0);
    await sleep(Math.max(0, downAt + 10_000 - Date.now()));
    const upAt = Date.now();
    await started.postgres.start();
    await restarted;
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt: Date.now() });

    // Tries made wholly while PostgreSQL was down: none may have been told its delivery was taken.
    const whileDown = stream.attempts().filter((attempt) => attempt.startedAt >= downAt && attempt.endedAt <= upAt);
    const statuses = countBy(whileDown.map((attempt) => String(attempt.status ?? attempt.error)));
    await report(started, stream, '4. PostgreSQL stopped 10 s', result, [
      `answers while down: ${JSON.stringify(statuses)}`,
      `engine stopped in ${engineStopSeconds.toFixed(1)} s and started again while it was down`,
    ]);
    expect(whileDown.filter((attempt) => attempt.status !== undefined && attempt.status < 300)).toEqual([]);
    expect(statuses['503']).toBeGreaterThan(0);
    expect(Object.keys(statuses)).toEqual(['503']);
  }, 240_000);
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
