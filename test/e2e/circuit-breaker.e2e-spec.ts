import { CircuitBreakers } from '@hookflow/actions';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

interface RunRow extends Record<string, unknown> {
  id: string;
  status: string;
  executions: number;
  error: string | null;
}

const COOLDOWN_MS = 1_500;

/**
 * The per-destination circuit breaker of http steps on the whole stack: 3 failures in a row open
 * the circuit, runs then wait (retrying, no attempt spent) without calling the host, and one probe
 * after the cool-down decides whether they resume.
 */
describe('circuit breaker', () => {
  let stack: TestStack;
  let flaky: TestReceiver;
  let healthy: TestReceiver;

  beforeAll(async () => {
    flaky = await TestReceiver.start(() => ({ status: 503, body: 'down for maintenance' }));
    healthy = await TestReceiver.start();
    stack = await TestStack.start({
      env: { HOOKFLOW_CIRCUIT_FAILURES: '3', HOOKFLOW_CIRCUIT_COOLDOWN: `${COOLDOWN_MS}ms` },
      rules: {
        'circuit.yaml': rulesFile(
          [hmacSource('shop'), hmacSource('other')],
          [
            // Retries come back every 100 ms: without the breaker they would storm the host.
            httpRule('notify', 'shop', [{ id: 'post', url: `${flaky.url}/orders` }], {
              retry: '{ attempts: 10, backoff: fixed, delay: 100ms }',
            }),
            httpRule('elsewhere', 'other', [{ id: 'post', url: `${healthy.url}/orders` }]),
          ],
        ),
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([flaky?.close(), healthy?.close()]);
  });

  const circuit = () => stack.engine!.get(CircuitBreakers).state(flaky.url);
  const waitingError = () => `step post: circuit open for ${flaky.url}`;

  async function send(source: string): Promise<string> {
    const answer = await deliver(stack.ingestUrl, source, orderEvent(), { secret: SECRET });
    expect(answer.status).toBe(202);
    return answer.body.eventId as string;
  }

  async function runsOf(eventIds: string[]): Promise<RunRow[]> {
    return stack.query<RunRow>('SELECT id, status, executions, error FROM runs WHERE event_id = ANY($1) ORDER BY created_at, id', [
      eventIds,
    ]);
  }

  async function attemptsOf(runId: string): Promise<[string, number | null][]> {
    const rows = await stack.query<{ status: string; response_status: number | null }>(
      'SELECT status, response_status FROM step_attempts WHERE run_id = $1 ORDER BY attempt',
      [runId],
    );
    return rows.map((row) => [row.status, row.response_status]);
  }

  const requestsOf = (runId: string) => flaky.requests.filter((request) => request.headers['idempotency-key'] === `${runId}:post`);

  it('opens after repeated failures, holds runs without calling the host, and closes when a probe succeeds', async () => {
    // Opens: three calls fail; the runs' retries find the circuit open and wait.
    const eventIds = await Promise.all([send('shop'), send('shop'), send('shop')]);
    const waiting = await waitFor(
      async () => {
        const runs = await runsOf(eventIds);
        return runs.length === 3 && runs.every((run) => run.status === 'retrying' && run.error === waitingError()) && runs;
      },
      5_000,
      'the three runs to wait on the open circuit',
    );
    expect(circuit()).toBe('open');
    expect(flaky.requests).toHaveLength(3);
    const firstAttempts = [];
    for (const run of waiting) firstAttempts.push(...(await attemptsOf(run.id)));
    expect(firstAttempts).toEqual(Array(3).fill(['failed', 503]));

    // While open: a new run waits without a request or an attempt; another host is not held up.
    eventIds.push(await send('shop'));
    const otherEventId = await send('other');
    const [fresh] = await waitFor(async () => {
      const runs = await runsOf(eventIds.slice(3));
      return runs[0]?.status === 'retrying' && runs[0].error === waitingError() && runs;
    });
    expect(await attemptsOf(fresh!.id)).toEqual([]);
    expect(requestsOf(fresh!.id)).toEqual([]);
    const [other] = await waitFor(async () => {
      const runs = await runsOf([otherEventId]);
      return runs[0]?.status === 'succeeded' && runs;
    });
    expect(other?.executions).toBe(1);
    expect(healthy.requests).toHaveLength(1);
    expect(flaky.requests).toHaveLength(3);

    // Half-open: of four waiting runs exactly one probes; it fails, and the circuit opens again (for twice as long).
    await waitFor(() => flaky.requests.length >= 4, 5_000, 'the probe');
    await sleep(600);
    expect(flaky.requests).toHaveLength(4);
    expect(circuit()).toBe('open');
    const afterProbe = await runsOf(eventIds);
    expect(afterProbe.map((run) => run.status).filter((status) => status !== 'retrying' && status !== 'running')).toEqual([]);
    const attemptCounts: number[] = [];
    for (const run of afterProbe) attemptCounts.push((await attemptsOf(run.id)).length);
    expect(attemptCounts.reduce((sum, count) => sum + count, 0)).toBe(4);
    expect(await stack.query('SELECT run_id FROM dead_letters')).toEqual([]);

    // Closes: the host is back, the next probe succeeds and every waiting run goes through, once.
    flaky.answer(() => ({ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } }));
    const done = await waitFor(
      async () => {
        const runs = await runsOf(eventIds);
        return runs.every((run) => run.status === 'succeeded') && runs;
      },
      10_000,
      'every run to succeed',
    );
    expect(circuit()).toBe('closed');
    expect(flaky.requests).toHaveLength(8);
    for (const [index, run] of done.entries()) {
      // Waiting spent no attempts: one per call made, the last one the success.
      const attempts = await attemptsOf(run.id);
      expect(attempts).toHaveLength(attemptCounts[index]! + 1);
      expect(attempts[attempts.length - 1]).toEqual(['succeeded', 200]);
      expect(requestsOf(run.id)).toHaveLength(attempts.length);
    }

    // Closed: a new run calls the host at once.
    const nextEventId = await send('shop');
    const [next] = await waitFor(async () => {
      const runs = await runsOf([nextEventId]);
      return runs[0]?.status === 'succeeded' && runs;
    });
    expect(next?.executions).toBe(1);
    expect(flaky.requests).toHaveLength(9);
  }, 20_000);
});
