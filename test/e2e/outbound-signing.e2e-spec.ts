import { Webhook } from 'standardwebhooks';
import { deliver, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

const FORWARD_SECRET = `whsec_${Buffer.from('e2e-forward-secret-0123456789abcdef').toString('base64')}`;

/** An `http` step with `sign` forwards with Standard Webhooks headers a receiver can verify. */
describe('http step with outbound Standard Webhooks signing', () => {
  let stack: TestStack;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    const rule = httpRule('forward', 'shop', [{ id: 'post', url: `${receiver.url}/signed` }]).replace(
      '        type: http\n',
      '        type: http\n        sign: { scheme: standard-webhooks, secret: "${FORWARD_SECRET}" }\n',
    );
    stack = await TestStack.start({
      rules: { 'shop.yaml': rulesFile([hmacSource('shop')], [rule]) },
      env: { FORWARD_SECRET },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('signs the forwarded request so the official library verifies it, without storing the secret', async () => {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET });
    expect(answer.status).toBe(202);

    const request = await waitFor(
      () => receiver.requests.find((r) => (r.json() as { order: string }).order === orderIdOf(body)),
      15_000,
      'the receiver to be called',
    );
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    expect(() => new Webhook(FORWARD_SECRET).verify(request.body, headers)).not.toThrow();
    expect(() => new Webhook(FORWARD_SECRET).verify(`${request.body} `, headers)).toThrow();
    expect(headers['webhook-id']).toBe(headers['idempotency-key']);

    const attempts = await waitFor(async () => {
      const rows = await stack.query<{ request: unknown }>(
        'SELECT a.request FROM step_attempts a JOIN runs r ON r.id = a.run_id WHERE r.event_id = $1',
        [answer.body.eventId],
      );
      return rows.length > 0 ? rows : undefined;
    });
    const stored = JSON.stringify(attempts);
    expect(stored).toContain('webhook-signature');
    expect(stored).not.toContain(FORWARD_SECRET.slice('whsec_'.length));
  });
});
