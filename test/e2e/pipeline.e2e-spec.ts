import { deliver, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

/** The foundation's promise end to end: a signed delivery becomes an HTTP call, with retries and dead letters. */
describe('ingest → queue → engine → http step', () => {
  let stack: TestStack;
  let ok: TestReceiver;
  let flaky: TestReceiver;
  let broken: TestReceiver;
  let first: TestReceiver;

  beforeAll(async () => {
    ok = await TestReceiver.start();
    flaky = await TestReceiver.start((index) => ({ status: index < 2 ? 500 : 200 }));
    broken = await TestReceiver.start(() => ({ status: 503, body: 'down for maintenance' }));
    first = await TestReceiver.start();
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop'), hmacSource('flaky'), hmacSource('broken')],
          [
            httpRule('notify', 'shop', [{ id: 'post', url: `${ok.url}/orders` }], { when: 'payload.total >= 100' }),
            httpRule('flaky-notify', 'flaky', [{ id: 'post', url: `${flaky.url}/x` }], {
              retry: '{ attempts: 4, delay: 20ms, maxDelay: 100ms }',
            }),
            httpRule('two-steps', 'broken', [
              { id: 'first', url: `${first.url}/first` },
              { id: 'second', url: `${broken.url}/second` },
            ]),
          ],
        ),
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([ok, flaky, broken, first].map((receiver) => receiver?.close()));
  });

  it('accepts a signed delivery with 202 and the receiver gets the templated body', async () => {
    const body = orderEvent({ total: 1234.5 });
    const answer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET });

    expect(answer.status).toBe(202);
    expect(answer.body.eventId).toEqual(expect.any(String));
    const request = await waitFor(
      () => ok.requests.find((r) => r.json() && (r.json() as { order: string }).order === orderIdOf(body)),
      15_000,
      'the receiver to be called',
    );
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/orders');
    expect(request.headers['x-test']).toBe('order.created');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json()).toEqual({ order: orderIdOf(body), total: 1234.5, label: `Order ${orderIdOf(body)} of 1234.5` });

    const [run] = await waitFor(async () => {
      const runs = await stack.query<{ id: string; status: string; rule_version: number }>(
        'SELECT id, status, rule_version FROM runs WHERE event_id = $1',
        [answer.body.eventId],
      );
      return runs[0]?.status === 'succeeded' ? runs : undefined;
    });
    expect(request.headers['idempotency-key']).toBe(`${run?.id}:post`);
    const attempts = await stack.query('SELECT step_id, attempt, status, response_status FROM step_attempts WHERE run_id = $1', [run?.id]);
    expect(attempts).toEqual([{ step_id: 'post', attempt: 1, status: 'succeeded', response_status: 200 }]);
  });

  it('stores the raw body bytes, the headers and the parsed payload', async () => {
    const body = orderEvent({ note: 'caf\u00e9 \\"escaped\\" \ud83d\ude80' });
    const answer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET });
    const [event] = await stack.query<{
      raw_body: Buffer;
      headers: Record<string, string>;
      payload: unknown;
      type: string;
      idempotency_key: string;
    }>('SELECT raw_body, headers, payload, type, idempotency_key FROM events WHERE id = $1', [answer.body.eventId]);
    expect(event?.raw_body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(event?.headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(event?.payload).toEqual(JSON.parse(body));
    expect(event?.type).toBe('order.created');
    expect(event?.idempotency_key).toBe(orderIdOf(body));
  });

  it('answers a repeated delivery 200 duplicate and calls the receiver once', async () => {
    const body = orderEvent();
    const orderId = orderIdOf(body);
    const firstAnswer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET });
    const secondAnswer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET });

    expect(firstAnswer.status).toBe(202);
    expect(secondAnswer).toMatchObject({ status: 200, body: { eventId: firstAnswer.body.eventId, duplicate: true } });
    await waitFor(() => ok.requests.some((r) => (r.json() as { order: string }).order === orderId));
    await sleep(500);
    expect(ok.requests.filter((r) => (r.json() as { order: string }).order === orderId)).toHaveLength(1);
    expect(await stack.query('SELECT id FROM events WHERE idempotency_key = $1', [orderId])).toHaveLength(1);
  });

  it('records an event no rule matches as unmatched, without a run', async () => {
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent({ total: 5 }), { secret: SECRET });
    const event = await waitFor(async () => {
      const [row] = await stack.query<{ status: string }>('SELECT status FROM events WHERE id = $1', [answer.body.eventId]);
      return row?.status === 'unmatched' ? row : undefined;
    });
    expect(event.status).toBe('unmatched');
    expect(await stack.query('SELECT id FROM runs WHERE event_id = $1', [answer.body.eventId])).toHaveLength(0);
  });

  it('retries a receiver that answers 500 twice, and succeeds on the third attempt', async () => {
    const answer = await deliver(stack.ingestUrl, 'flaky', orderEvent(), { secret: SECRET });
    const run = await waitFor(async () => {
      const [row] = await stack.query<{ id: string; status: string }>('SELECT id, status FROM runs WHERE event_id = $1', [
        answer.body.eventId,
      ]);
      return row?.status === 'succeeded' ? row : undefined;
    });
    const attempts = await stack.query<{ attempt: number; status: string; response_status: number }>(
      'SELECT attempt, status, response_status FROM step_attempts WHERE run_id = $1 ORDER BY attempt',
      [run.id],
    );
    expect(attempts).toEqual([
      { attempt: 1, status: 'failed', response_status: 500 },
      { attempt: 2, status: 'failed', response_status: 500 },
      { attempt: 3, status: 'succeeded', response_status: 200 },
    ]);
    expect(flaky.requests).toHaveLength(3);
    expect(new Set(flaky.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`${run.id}:post`]));
  });

  it('dead-letters a run whose receiver always fails, with the full history, and runs the step before it once', async () => {
    const answer = await deliver(stack.ingestUrl, 'broken', orderEvent(), { secret: SECRET });
    const run = await waitFor(async () => {
      const [row] = await stack.query<{ id: string; status: string; error: string }>(
        'SELECT id, status, error FROM runs WHERE event_id = $1',
        [answer.body.eventId],
      );
      return row?.status === 'failed' ? row : undefined;
    });
    const [deadLetter] = await stack.query<{
      cause: string;
      step_id: string;
      error: string;
      attempts: { stepId: string; attempt: number; responseStatus: number; status: string }[];
      status: string;
    }>('SELECT cause, step_id, error, attempts, status FROM dead_letters WHERE run_id = $1', [run.id]);
    expect(deadLetter).toMatchObject({ cause: 'destination_5xx', step_id: 'second', status: 'pending' });
    expect(deadLetter?.error).toContain('gave up after 3 attempt(s)');
    expect(deadLetter?.attempts.map((a) => [a.stepId, a.attempt, a.status, a.responseStatus])).toEqual([
      ['first', 1, 'succeeded', 200],
      ['second', 1, 'failed', 503],
      ['second', 2, 'failed', 503],
      ['second', 3, 'failed', 503],
    ]);
    expect(broken.requests).toHaveLength(3);
    expect(first.requests).toHaveLength(1);
  });
});
