import { RunExecutor } from '../../apps/engine/src/runs/run-executor.service';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

/**
 * What the engine does when the platform, not the destination, failed part-way: a stale job, an
 * attempt budget spent before the run was closed, a job that used up its own retries.
 */
describe('run recovery', () => {
  let stack: TestStack;
  let down: TestReceiver;

  beforeAll(async () => {
    down = await TestReceiver.start(() => ({ status: 503, body: 'down' }));
    stack = await TestStack.start({
      rules: {
        // A long delay keeps each run waiting in `retrying` after its first try.
        'recovery.yaml': rulesFile(
          [hmacSource('shop')],
          [httpRule('notify', 'shop', [{ id: 'post', url: `${down.url}/x` }], { retry: '{ attempts: 2, delay: 1h }' })],
        ),
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await down?.close();
  });

  async function retryingRun(): Promise<{ id: string; executions: number }> {
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET });
    return waitFor(async () => {
      const [run] = await stack.query<{ id: string; status: string; executions: number }>(
        'SELECT id, status, executions FROM runs WHERE event_id = $1',
        [answer.body.eventId],
      );
      return run?.status === 'retrying' ? run : undefined;
    });
  }

  const executor = (): RunExecutor => stack.engine!.get(RunExecutor);
  const calls = (): number => down.requests.length;

  it('ignores an older job that runs again after its retry was scheduled', async () => {
    const run = await retryingRun();
    expect(run.executions).toBe(2);
    const before = calls();

    await executor().execute(run.id, 1);

    await sleep(100);
    expect(calls()).toBe(before);
    expect((await stack.query('SELECT status FROM runs WHERE id = $1', [run.id]))[0]).toEqual({ status: 'retrying' });
  });

  it('closes a run whose attempt budget was spent without calling the destination again', async () => {
    const run = await retryingRun();
    // The second try was made and recorded, but the platform failed before the run was closed.
    await stack.query(
      `INSERT INTO step_attempts (run_id, step_id, attempt, status, started_at, duration_ms, error) VALUES ($1, 'post', 2, 'failed', now(), 1, 'destination answered 503')`,
      [run.id],
    );
    const before = calls();

    await executor().execute(run.id, run.executions);

    expect(calls()).toBe(before);
    const [deadLetter] = await stack.query<{ cause: string; error: string }>('SELECT cause, error FROM dead_letters WHERE run_id = $1', [
      run.id,
    ]);
    expect(deadLetter).toEqual({ cause: 'system', error: 'step post: destination answered 503 (gave up after 2 attempt(s))' });
  });

  it('dead-letters with cause system a run whose job used up its platform retries', async () => {
    const run = await retryingRun();

    await executor().giveUp(run.id, new Error('connection terminated'));

    const [row] = await stack.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [run.id]);
    expect(row?.status).toBe('failed');
    const [deadLetter] = await stack.query<{ cause: string; error: string }>('SELECT cause, error FROM dead_letters WHERE run_id = $1', [
      run.id,
    ]);
    expect(deadLetter).toEqual({ cause: 'system', error: 'the engine could not execute the run: connection terminated' });
  });
});
