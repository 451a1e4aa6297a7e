import { ReplaysRepository } from '@hookflow/persistence';
import { REPLAY_JOB_OPTIONS, REPLAYS_QUEUE, RunJob, runJobId, RUNS_QUEUE } from '@hookflow/queue';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
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

/**
 * The queue can be rebuilt from PostgreSQL: a run committed without its job (a crash between the
 * commit and the enqueue, Redis losing data) is queued again by the engine's runs sweeper.
 */
describe('the runs sweeper', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  const down = () => ({ status: 503, body: 'down' });
  const up = () => ({ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    receiver = await TestReceiver.start(down);
    stack = await TestStack.start({
      rules: {
        'sweeper.yaml': rulesFile(
          [hmacSource('once'), hmacSource('later')],
          [
            httpRule('once', 'once', [{ id: 'post', url: `${receiver.url}/once` }], { retry: '{ attempts: 1 }' }),
            // A long delay keeps each run waiting in `retrying`, its delayed job in Redis.
            httpRule('later', 'later', [{ id: 'post', url: `${receiver.url}/later` }], { retry: '{ attempts: 2, delay: 1h }' }),
          ],
        ),
      },
      env: { HOOKFLOW_CIRCUIT_FAILURES: '0' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });
  beforeEach(() => receiver.answer(down));

  const queue = (name: string): Queue<RunJob> => stack.engine!.get<Queue<RunJob>>(getQueueToken(name));
  const callsTo = (path: string): number => receiver.requests.filter((request) => request.url === path).length;

  async function runWith(eventId: string, status: string): Promise<{ id: string; executions: number }> {
    return waitFor(async () => {
      const [run] = await stack.query<{ id: string; status: string; executions: number }>(
        'SELECT id, status, executions FROM runs WHERE event_id = $1 AND replay = 0',
        [eventId],
      );
      return run?.status === status ? run : undefined;
    });
  }

  async function deadLetter(): Promise<{ id: string; eventId: string }> {
    const answer = await deliver(stack.ingestUrl, 'once', orderEvent(), { secret: SECRET });
    const eventId = answer.body.eventId as string;
    return waitFor(async () => {
      const [letter] = await stack.query<{ id: string }>('SELECT id FROM dead_letters WHERE event_id = $1', [eventId]);
      return letter ? { id: letter.id, eventId } : undefined;
    });
  }

  async function statusOf(runId: string, deadLetterId: string): Promise<[string | undefined, string | undefined]> {
    const [run] = await stack.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [runId]);
    const [letter] = await stack.query<{ status: string }>('SELECT status FROM dead_letters WHERE id = $1', [deadLetterId]);
    return [run?.status, letter?.status];
  }

  it('queues a replay committed without its job on the replays queue, and it resolves its dead letter', async () => {
    const letter = await deadLetter();
    receiver.answer(up);
    const runId = uuidv7();

    // What the admin API commits before it queues the job: a crash right after leaves exactly this.
    const replay = await stack.engine!.get(ReplaysRepository).replayDeadLetter(letter.id, runId);
    expect(replay.outcome).toBe('replayed');

    await waitFor(async () => ((await statusOf(runId, letter.id)).join() === 'succeeded,resolved' ? true : undefined));
    expect(await queue(REPLAYS_QUEUE).getJob(runJobId(runId, 1))).toMatchObject({ data: { runId, execution: 1 } });
    expect(receiver.requests.filter((request) => request.headers['idempotency-key'] === `${runId}:post`)).toHaveLength(1);
  });

  it('queues again a retrying run whose delayed job was lost, and leaves alone one whose job is there', async () => {
    const answer = await deliver(stack.ingestUrl, 'later', orderEvent(), { secret: SECRET });
    const run = await runWith(answer.body.eventId as string, 'retrying');
    expect(run.executions).toBe(2);
    const jobId = runJobId(run.id, 2);
    expect(await queue(RUNS_QUEUE).getJobState(jobId)).toBe('delayed');
    receiver.answer(up);
    const before = callsTo('/later');

    // Overdue, but its delayed job is still in Redis: a few passes later nothing has changed.
    await stack.query(`UPDATE runs SET next_attempt_at = now() - interval '1 minute' WHERE id = $1`, [run.id]);
    await sleep(1_000);
    expect(await queue(RUNS_QUEUE).getJobState(jobId)).toBe('delayed');
    expect(callsTo('/later')).toBe(before);

    // The job lost: the run is queued again and resumes.
    await queue(RUNS_QUEUE).remove(jobId);
    await runWith(answer.body.eventId as string, 'succeeded');
    expect(callsTo('/later')).toBe(before + 1);
  });

  it('retries the job of a run when a finished job holds its id, which BullMQ would not add again', async () => {
    const letter = await deadLetter();
    receiver.answer(up);
    const runId = uuidv7();
    const jobId = runJobId(runId, 1);
    // Its job runs before the run exists, so it finds nothing to do and completes: the id is taken.
    await queue(REPLAYS_QUEUE).add('run', { runId, execution: 1 }, { ...REPLAY_JOB_OPTIONS, jobId });
    await waitFor(async () => ((await queue(REPLAYS_QUEUE).getJobState(jobId)) === 'completed' ? true : undefined));

    await stack.engine!.get(ReplaysRepository).replayDeadLetter(letter.id, runId);

    await waitFor(async () => ((await statusOf(runId, letter.id)).join() === 'succeeded,resolved' ? true : undefined));
    expect(receiver.requests.filter((request) => request.headers['idempotency-key'] === `${runId}:post`)).toHaveLength(1);
  });
});
