import { DeliveryStream } from './support/delivery-stream';
import { FaultWorld, SOURCE } from './support/fault-world';
import { report, settleAndReconcile } from './support/ledgers';

/** Issue 7, scenario 7: every delivery sent 3 times at once. One event, one run, one effect each. */
describe('duplicate storms: each delivery sent 3 times concurrently', () => {
  let world: FaultWorld | undefined;
  afterAll(() => world?.close());

  it('makes one event and one run per delivery, and answers the copies as duplicates', async () => {
    const started = await FaultWorld.start();
    world = started;
    const startedAt = Date.now();
    const stream = DeliveryStream.start({ count: 300, ratePerSecond: 60, copies: 3, targets: () => started.ingestUrls(), source: SOURCE });
    await stream.done;
    const result = await settleAndReconcile(started, stream, { startedAt, endedAt: Date.now() });

    // Each delivery's copies: exactly one 202 (the first to commit), the others 200 duplicates of the same event.
    const answers = stream.deliveries.map((delivery) => {
      const finals = delivery.copies.map((tries) => tries[tries.length - 1]);
      return {
        accepted: finals.filter((answer) => answer?.status === 202).length,
        duplicates: finals.filter((answer) => answer?.status === 200 && answer.duplicate).length,
        eventIds: new Set(finals.map((answer) => answer?.eventId)).size,
      };
    });
    const wrong = answers.filter((answer) => answer.accepted !== 1 || answer.duplicates !== 2 || answer.eventIds !== 1);
    await report(started, stream, '7. duplicate storm (3 copies at once)', result, [
      `${wrong.length} deliveries not answered 202 once and 200 twice`,
    ]);
    expect(result.events).toBe(300);
    expect(result.runs).toBe(300);
    expect(wrong).toEqual([]);
  }, 240_000);
});
