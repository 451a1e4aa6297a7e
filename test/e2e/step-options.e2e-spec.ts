import { createHmac } from 'node:crypto';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

/** Step options end to end: a step's own retry policy, continueOnError, and the extra JSONata functions. */
describe('step options', () => {
  let stack: TestStack;
  let down: TestReceiver;
  let missing: TestReceiver;
  let after: TestReceiver;
  let signed: TestReceiver;
  let flaky: TestReceiver;

  beforeAll(async () => {
    down = await TestReceiver.start(() => ({ status: 503, body: 'down' }));
    missing = await TestReceiver.start(() => ({ status: 404, body: 'no such thing' }));
    after = await TestReceiver.start();
    signed = await TestReceiver.start();
    flaky = await TestReceiver.start((index) => ({ status: index === 0 ? 503 : 200 }));
    stack = await TestStack.start({
      rules: {
        'steps.yaml': rulesFile(
          [hmacSource('own-retry'), hmacSource('carry-on'), hmacSource('signed'), hmacSource('carry-on-retry')],
          [
            `  - id: own-retry
    source: own-retry
    retry: { attempts: 5, delay: 10ms, maxDelay: 50ms }
    steps:
      - id: post
        type: http
        url: "${down.url}/down"
        retry: { attempts: 2, delay: 10ms }
        body: { order: "{{ payload.id }}" }`,
            `  - id: carry-on
    source: carry-on
    retry: { attempts: 3, delay: 10ms, maxDelay: 50ms }
    steps:
      - id: first
        type: http
        url: "${missing.url}/missing"
        continueOnError: true
        body: { order: "{{ payload.id }}" }
      - id: second
        type: http
        url: "${after.url}/after"
        body: { order: "{{ payload.id }}", first: "{{ steps.first.status }}" }`,
            `  - id: signed
    source: signed
    steps:
      - id: post
        type: http
        url: "${signed.url}/signed"
        body: { order: "{{ payload.id }}", signature: "{{ $hmac('sha256', 'k', payload.id) }}" }`,
            `  - id: carry-on-retry
    source: carry-on-retry
    retry: { attempts: 3, delay: 10ms, maxDelay: 50ms }
    steps:
      - id: first
        type: http
        url: "${missing.url}/missing"
        continueOnError: true
        body: { order: "{{ payload.id }}" }
      - id: second
        type: http
        url: "${flaky.url}/flaky"
        body: { order: "{{ payload.id }}", first: "{{ steps.first.status }}" }`,
          ],
        ),
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([down, missing, after, signed, flaky].map((receiver) => receiver?.close()));
  });

  async function finishedRun(eventId: unknown): Promise<{ id: string; status: string }> {
    return waitFor(async () => {
      const [row] = await stack.query<{ id: string; status: string }>('SELECT id, status FROM runs WHERE event_id = $1', [eventId]);
      return row?.status === 'succeeded' || row?.status === 'failed' ? row : undefined;
    });
  }

  it("dead-letters after the step's own attempts, not the rule's", async () => {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, 'own-retry', body, { secret: SECRET });
    const run = await finishedRun(answer.body.eventId);

    expect(run.status).toBe('failed');
    const [deadLetter] = await stack.query<{ cause: string; step_id: string; error: string }>(
      'SELECT cause, step_id, error FROM dead_letters WHERE run_id = $1',
      [run.id],
    );
    expect(deadLetter).toMatchObject({ cause: 'destination_5xx', step_id: 'post' });
    expect(deadLetter?.error).toContain('gave up after 2 attempt(s)');
    await sleep(300);
    expect(down.requests.filter((r) => (r.json() as { order: string }).order === orderIdOf(body))).toHaveLength(2);
  });

  it('goes on past a failed continueOnError step, which later steps see as failed', async () => {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, 'carry-on', body, { secret: SECRET });
    const run = await finishedRun(answer.body.eventId);

    expect(run.status).toBe('succeeded');
    const received = after.requests.map((r) => r.json()).filter((json) => (json as { order: string }).order === orderIdOf(body));
    expect(received).toEqual([{ order: orderIdOf(body), first: 'failed' }]);
    expect(missing.requests.filter((r) => (r.json() as { order: string }).order === orderIdOf(body))).toHaveLength(1);
    expect(await stack.query('SELECT id FROM dead_letters WHERE run_id = $1', [run.id])).toHaveLength(0);
    const attempts = await stack.query(
      'SELECT step_id, attempt, status, response_status FROM step_attempts WHERE run_id = $1 ORDER BY id',
      [run.id],
    );
    expect(attempts).toEqual([
      { step_id: 'first', attempt: 1, status: 'failed', response_status: 404 },
      { step_id: 'second', attempt: 1, status: 'succeeded', response_status: 200 },
    ]);
  });

  it('does not run a failed continueOnError step again when a later step is retried', async () => {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, 'carry-on-retry', body, { secret: SECRET });
    const run = await finishedRun(answer.body.eventId);

    expect(run.status).toBe('succeeded');
    expect(flaky.requests.map((r) => r.json())).toEqual([
      { order: orderIdOf(body), first: 'failed' },
      { order: orderIdOf(body), first: 'failed' },
    ]);
    expect(missing.requests.filter((r) => (r.json() as { order: string }).order === orderIdOf(body))).toHaveLength(1);
  });

  it('renders $hmac in a step body', async () => {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, 'signed', body, { secret: SECRET });
    const run = await finishedRun(answer.body.eventId);

    expect(run.status).toBe('succeeded');
    const request = signed.requests.find((r) => (r.json() as { order: string }).order === orderIdOf(body));
    expect(request?.json()).toEqual({
      order: orderIdOf(body),
      signature: createHmac('sha256', 'k').update(orderIdOf(body)).digest('hex'),
    });
  });
});
