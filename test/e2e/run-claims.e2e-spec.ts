import { NewStepAttempt, RunsRepository } from '@hookflow/persistence';
import { v7 as uuidv7 } from 'uuid';
import { deliver } from '../support/deliveries';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

/**
 * The engine's per-run statements are batched across concurrent workers (RunsRepository on
 * MicroBatcher): concurrent calls must still each get exactly their own answer.
 */
describe('batched run claims and successes', () => {
  let stack: TestStack;
  let runs: RunsRepository;
  let eventId: string;
  let replays = 0;

  beforeAll(async () => {
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile([hmacSource('shop')], [httpRule('notify', 'shop', [{ id: 'post', url: 'http://127.0.0.1:9/hook' }])]),
      },
      engine: false, // nothing else touches the runs this test makes
    });
    runs = stack.ingest!.get(RunsRepository);
    eventId = (await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET })).body.eventId as string;
  });
  afterAll(() => stack?.close());

  /** Pending runs of the test's event; each needs a rule of its own, as runs are unique per (event, rule, replay). */
  async function pendingRuns(count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => uuidv7());
    for (const id of ids) {
      await stack.query(
        `INSERT INTO runs (id, event_id, rule_id, rule_version, status, replay)
         SELECT $1, $2, rule_id, version, 'pending', $3 FROM rule_versions WHERE rule_id = 'notify' LIMIT 1`,
        [id, eventId, ++replays],
      );
    }
    return ids;
  }

  const attemptOf = (runId: string): NewStepAttempt => ({
    runId,
    stepId: 'post',
    attempt: 1,
    status: 'succeeded',
    startedAt: new Date(),
    durationMs: 3,
    request: { method: 'POST', url: 'http://127.0.0.1:9/hook' },
    responseStatus: 200,
    output: { status: 200, body: 'ok' },
    error: null,
  });

  it('claims concurrent runs each with its own run and event, and gives a run asked for twice in one batch to one caller', async () => {
    const ids = await pendingRuns(6);
    // The first two claims take both statement slots; the rest, the repeat included, wait and go as one batch.
    const answers = await Promise.all([...ids.map((id) => runs.claimRun(id, 1)), runs.claimRun(ids[5]!, 1)]);
    for (const [index, id] of ids.entries()) {
      expect(answers[index]).toMatchObject({ run: { id, status: 'running', executions: 1 }, event: { id: eventId }, firstClaim: true });
    }
    expect(answers[ids.length]).toBeNull();
  });

  it('refuses a stale execution and a finished run, and reports a claim after an earlier execution as not the first', async () => {
    const [first, second] = await pendingRuns(2);
    await runs.claimRun(first!, 2);
    await runs.claimRun(second!, 1);
    await runs.markSucceeded(second!);
    const [stale, finished, again] = await Promise.all([runs.claimRun(first!, 1), runs.claimRun(second!, 2), runs.claimRun(first!, 3)]);
    expect(stale).toBeNull();
    expect(finished).toBeNull();
    expect(again).toMatchObject({ run: { id: first, executions: 3 }, firstClaim: false });
  });

  it('records concurrent successes with their last attempts, and one bad success fails alone', async () => {
    const ids = await pendingRuns(5);
    await Promise.all(ids.map((id) => runs.claimRun(id, 1)));
    const missingRun = uuidv7(); // its attempt breaks the foreign key: that call alone must fail
    const results = await Promise.allSettled([
      ...ids.map((id, index) => runs.markSucceeded(id, index % 2 === 0 ? attemptOf(id) : undefined)),
      runs.markSucceeded(missingRun, attemptOf(missingRun)),
    ]);
    expect(results.slice(0, ids.length).every((result) => result.status === 'fulfilled')).toBe(true);
    expect(results[ids.length]?.status).toBe('rejected');
    const rows = await stack.query<{ id: string; status: string; attempts: string }>(
      `SELECT r.id, r.status, (SELECT count(*) FROM step_attempts a WHERE a.run_id = r.id) AS attempts FROM runs r WHERE r.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const [index, id] of ids.entries()) {
      expect(byId.get(id)).toMatchObject({ status: 'succeeded', attempts: index % 2 === 0 ? '1' : '0' });
    }
  });
});
