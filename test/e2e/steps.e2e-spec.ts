import { deliver, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { SmtpPeer } from '../support/smtp-peer';
import { TestStack } from '../support/test-stack';

const FROM = 'Hookflow Test <hookflow@example.test>';
const RETRY = '{ attempts: 3, backoff: fixed, delay: 50ms }';

/** A rule for `source` with the given steps (YAML list items indented by 6). */
function rule(id: string, source: string, steps: string): string {
  return `  - id: ${id}
    source: ${source}
    events: ["order.*"]
    retry: ${RETRY}
    steps:
${steps}`;
}

/** An email step to `to` whose subject and text name the order. */
function mailStep(to: string): string {
  return `      - id: mail
        type: email
        to: ${to}
        subject: "Order {{ payload.id }}"
        text: "Total {{ payload.total }}"
`;
}

/** The transform and email steps end to end: rendered by the engine, sent to a real SMTP peer. */
describe('transform and email steps', () => {
  let stack: TestStack;
  let peer: SmtpPeer;
  let store: TestReceiver;
  let unreached: TestReceiver;

  beforeAll(async () => {
    peer = await SmtpPeer.start((recipient, attempt) => {
      if (recipient === 'gone@example.com') return { code: 550, message: '5.1.1 No such user here' };
      if (recipient === 'greylisted@example.com' && attempt === 0) return { code: 451, message: '4.7.1 Greylisted, try again' };
      return undefined;
    });
    store = await TestReceiver.start(() => ({
      status: 201,
      body: JSON.stringify({ ref: 'RCV-7' }),
      headers: { 'content-type': 'application/json' },
    }));
    unreached = await TestReceiver.start();
    stack = await TestStack.start({
      env: { HOOKFLOW_SMTP_URL: peer.url, HOOKFLOW_SMTP_FROM: FROM },
      rules: {
        'steps.yaml': rulesFile(
          [hmacSource('chain'), hmacSource('bounce'), hmacSource('greylist'), hmacSource('broken')],
          [
            rule(
              'order-mail',
              'chain',
              `      - id: summary
        type: transform
        expression: '{ "order": payload.id, "cents": payload.total * 100, "customer": $uppercase(payload.customer) }'
      - id: store
        type: http
        url: "${store.url}/orders"
        body: "{{ steps.summary.output }}"
      - id: mail
        type: email
        to: ["ops@example.com"]
        subject: "Order {{ steps.summary.output.order }} for {{ steps.summary.output.customer }} stored as {{ steps.store.output.body.ref }}"
        text: "{{ steps.summary.output.cents }} cents, status {{ steps.store.output.status }}"
`,
            ),
            rule('bounce-mail', 'bounce', mailStep('gone@example.com')),
            rule('greylist-mail', 'greylist', mailStep('greylisted@example.com')),
            rule(
              'broken-transform',
              'broken',
              `      - id: summary
        type: transform
        expression: $number(payload.customer)
      - id: store
        type: http
        url: "${unreached.url}/orders"
        body: "{{ steps.summary.output }}"
`,
            ),
          ],
        ),
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([store?.close(), unreached?.close(), peer?.close()]);
  });

  async function finishedRun(eventId: unknown, status: 'succeeded' | 'failed'): Promise<{ id: string }> {
    return waitFor(
      async () => {
        const [row] = await stack.query<{ id: string; status: string }>('SELECT id, status FROM runs WHERE event_id = $1', [eventId]);
        return row?.status === status ? row : undefined;
      },
      15_000,
      `the run to have ${status}`,
    );
  }

  it('chains transform → http → email: the transform output is the http body, the http answer is in the mail', async () => {
    const body = orderEvent({ total: 12.5 });
    const orderId = orderIdOf(body);
    const answer = await deliver(stack.ingestUrl, 'chain', body, { secret: SECRET });
    expect(answer.status).toBe(202);

    const run = await finishedRun(answer.body.eventId, 'succeeded');
    const summary = { order: orderId, cents: 1250, customer: 'ZOË «QUOTED» \u2603' };
    const [request] = store.requests.filter((r) => (r.json() as { order?: string }).order === orderId);
    expect(request?.json()).toEqual(summary);
    const [mail] = peer.messages.filter((m) => m.parsed.subject?.includes(orderId));
    expect(mail?.envelope).toEqual({ from: 'hookflow@example.test', to: ['ops@example.com'] });
    expect(mail?.parsed.from?.text).toBe('"Hookflow Test" <hookflow@example.test>');
    expect(mail?.parsed.subject).toBe(`Order ${orderId} for ZOË «QUOTED» \u2603 stored as RCV-7`);
    expect(mail?.parsed.text?.trim()).toBe('1250 cents, status 201');
    expect(mail?.parsed.headers.get('x-hookflow-idempotency-key')).toBe(`${run.id}:mail`);

    const attempts = await stack.query<{ step_id: string; status: string; response_status: number | null; output: unknown }>(
      'SELECT step_id, status, response_status, output FROM step_attempts WHERE run_id = $1 ORDER BY started_at',
      [run.id],
    );
    expect(attempts.map((a) => [a.step_id, a.status, a.response_status])).toEqual([
      ['summary', 'succeeded', null],
      ['store', 'succeeded', 201],
      ['mail', 'succeeded', 250],
    ]);
    expect(attempts[0]?.output).toEqual(summary);
    expect(attempts[2]?.output).toEqual({
      messageId: mail?.parsed.messageId,
      accepted: ['ops@example.com'],
      rejected: [],
      response: expect.stringMatching(/^250 /) as unknown,
    });
  });

  it('dead-letters a mail the SMTP server refuses with 550, without retrying', async () => {
    const answer = await deliver(stack.ingestUrl, 'bounce', orderEvent(), { secret: SECRET });

    const run = await finishedRun(answer.body.eventId, 'failed');
    const [deadLetter] = await stack.query<{ cause: string; step_id: string; error: string; attempts: unknown[] }>(
      'SELECT cause, step_id, error, attempts FROM dead_letters WHERE run_id = $1',
      [run.id],
    );
    expect(deadLetter).toMatchObject({ cause: 'destination_4xx', step_id: 'mail' });
    expect(deadLetter?.error).toBe('step mail: SMTP server answered 550 5.1.1 No such user here (not retryable)');
    expect(deadLetter?.attempts).toHaveLength(1);
    await sleep(300); // a retry, were one scheduled, would come 50 ms later
    expect(peer.recipientsOffered.filter((recipient) => recipient === 'gone@example.com')).toHaveLength(1);
  });

  it('retries a mail the SMTP server defers with 451, and succeeds on the second attempt', async () => {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, 'greylist', body, { secret: SECRET });

    const run = await finishedRun(answer.body.eventId, 'succeeded');
    const attempts = await stack.query<{ attempt: number; status: string; response_status: number; error: string | null }>(
      'SELECT attempt, status, response_status, error FROM step_attempts WHERE run_id = $1 ORDER BY attempt',
      [run.id],
    );
    expect(attempts).toEqual([
      { attempt: 1, status: 'failed', response_status: 451, error: 'SMTP server answered 451 4.7.1 Greylisted, try again' },
      { attempt: 2, status: 'succeeded', response_status: 250, error: null },
    ]);
    const mails = peer.messagesTo('greylisted@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.parsed.subject).toBe(`Order ${orderIdOf(body)}`);
    expect(mails[0]?.parsed.headers.get('x-hookflow-idempotency-key')).toBe(`${run.id}:mail`);
  });

  it('dead-letters a run whose transform fails at run time, with cause evaluation, before any later step', async () => {
    const answer = await deliver(stack.ingestUrl, 'broken', orderEvent(), { secret: SECRET });

    const run = await finishedRun(answer.body.eventId, 'failed');
    const [deadLetter] = await stack.query<{ cause: string; step_id: string; error: string }>(
      'SELECT cause, step_id, error FROM dead_letters WHERE run_id = $1',
      [run.id],
    );
    expect(deadLetter).toMatchObject({ cause: 'evaluation', step_id: 'summary' });
    expect(deadLetter?.error).toContain('$number(payload.customer)');
    const attempts = await stack.query('SELECT step_id, attempt, status FROM step_attempts WHERE run_id = $1', [run.id]);
    expect(attempts).toEqual([{ step_id: 'summary', attempt: 1, status: 'failed' }]);
    expect(unreached.requests).toHaveLength(0);
  });
});
