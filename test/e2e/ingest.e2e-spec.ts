import { connect } from 'node:net';
import { deliver, signHmac, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, orderIdOf, ROTATED_SECRET, rulesFile, SECRET } from '../support/rule-files';
import { TcpProxy } from '../support/tcp-proxy';
import { TestStack } from '../support/test-stack';

const eventCount = async (stack: TestStack): Promise<number> =>
  Number((await stack.query<{ count: string }>('SELECT count(*) FROM events'))[0]?.count);

describe('ingest answers', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      rules: {
        'sources.yaml': rulesFile(
          [hmacSource('shop'), '  - id: open\n    provider: none\n', '  - { id: token, provider: bearer, secrets: ["tok-0123456789"] }\n'],
          [],
        ),
      },
      env: { HOOKFLOW_BODY_LIMIT: '4kb' },
      engine: false,
    });
  });
  afterAll(() => stack?.close());

  it.each([
    ['a wrong signature', { headers: { 'x-webhook-signature': `sha256=${'ab'.repeat(32)}` } }, 'signature_mismatch'],
    ['no signature', {}, 'missing_signature'],
    ['a garbled signature', { headers: { 'x-webhook-signature': 'sha256=not-hex' } }, 'malformed_signature'],
    ['a signature made with another secret', { secret: 'not-the-secret' }, 'signature_mismatch'],
  ])('answers 401 to %s and stores nothing', async (_name, options, reason) => {
    const before = await eventCount(stack);
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent(), options);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe(reason);
    expect(await eventCount(stack)).toBe(before);
  });

  it('answers 401 when one byte of the signed body changed', async () => {
    const body = orderEvent();
    const tampered = body.replace('"total":250', '"total":950');
    const answer = await deliver(stack.ingestUrl, 'shop', tampered, { headers: { 'x-webhook-signature': await signHmac(SECRET, body) } });
    expect(answer).toMatchObject({ status: 401, body: { error: 'signature_mismatch' } });
  });

  it('accepts a delivery signed with the second, rotated secret', async () => {
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: ROTATED_SECRET });
    expect(answer.status).toBe(202);
  });

  it('answers 404 for an unknown source', async () => {
    const answer = await deliver(stack.ingestUrl, 'no-such-source', orderEvent(), { secret: SECRET });
    expect(answer).toMatchObject({ status: 404, body: { error: 'unknown_source' } });
  });

  it('answers 413 for a body over the limit', async () => {
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent({ padding: 'x'.repeat(5_000) }), { secret: SECRET });
    expect(answer).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
  });

  it('answers 400 for malformed JSON that carries a valid signature', async () => {
    const before = await eventCount(stack);
    const answer = await deliver(stack.ingestUrl, 'shop', '{"id": "x", "type": ', { secret: SECRET });
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    expect(await eventCount(stack)).toBe(before);
  });

  it('answers 415 for a content type it cannot parse', async () => {
    const answer = await deliver(stack.ingestUrl, 'open', '<order/>', { headers: { 'content-type': 'application/xml' } });
    expect(answer).toMatchObject({ status: 415, body: { error: 'unsupported_content_type' } });
  });

  it('parses a form-encoded body into payload fields', async () => {
    const answer = await deliver(stack.ingestUrl, 'open', 'type=form.sent&tag=a&tag=b', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(202);
    const [event] = await stack.query<{ payload: unknown; type: string }>('SELECT payload, type FROM events WHERE id = $1', [
      answer.body.eventId,
    ]);
    expect(event).toEqual({ payload: { type: 'form.sent', tag: ['a', 'b'] }, type: 'form.sent' });
  });

  it('accepts JSON with NUL characters and lone surrogates, keeping the raw bytes exact', async () => {
    const body = '{"type":"odd.text","id":"nul-1","text":"a\\u0000b \\ud800"}';
    const answer = await deliver(stack.ingestUrl, 'open', body);
    expect(answer.status).toBe(202);
    const [event] = await stack.query<{ payload: { text: string }; raw_body: Buffer }>(
      'SELECT payload, raw_body FROM events WHERE id = $1',
      [answer.body.eventId],
    );
    expect(event?.payload.text).toBe('a\ufffdb \ufffd');
    expect(event?.raw_body.toString('utf8')).toBe(body);
  });

  it('answers 400 for JSON nested deeper than the limit', async () => {
    const body = `${'['.repeat(300)}${']'.repeat(300)}`;
    const answer = await deliver(stack.ingestUrl, 'open', body);
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
  });

  it('never stores the credentials a delivery authenticated with', async () => {
    const answer = await deliver(stack.ingestUrl, 'token', orderEvent(), {
      headers: { authorization: 'Bearer tok-0123456789', cookie: 'session=abc' },
    });
    expect(answer.status).toBe(202);
    const [event] = await stack.query<{ headers: Record<string, string> }>('SELECT headers FROM events WHERE id = $1', [
      answer.body.eventId,
    ]);
    expect(event?.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(JSON.stringify(event?.headers)).not.toContain('tok-0123456789');
  });

  it('keys a delivery without an id by the SHA-256 of its body', async () => {
    const body = JSON.stringify({ type: 'ping', at: Date.now() });
    const first = await deliver(stack.ingestUrl, 'open', body);
    const second = await deliver(stack.ingestUrl, 'open', body);
    expect(first.status).toBe(202);
    expect(second).toMatchObject({ status: 200, body: { eventId: first.body.eventId, duplicate: true } });
  });

  it('answers a request that is not HTTP with 400 malformed_request and closes the connection', async () => {
    const { port } = new URL(stack.ingestUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('Connection: close');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'malformed_request' });
  });

  it('commits concurrent deliveries together, storing each event once and answering every repeat as its duplicate', async () => {
    const before = await eventCount(stack);
    const bodies = Array.from({ length: 60 }, () => orderEvent());
    // Each body three times at once: repeats land in the same group commit or in concurrent ones.
    const answers = await Promise.all(
      bodies.flatMap((body) => [1, 2, 3].map(() => deliver(stack.ingestUrl, 'shop', body, { secret: SECRET }))),
    );
    for (let index = 0; index < bodies.length; index += 1) {
      const mine = answers.slice(index * 3, index * 3 + 3);
      expect(mine.map((answer) => answer.status).sort()).toEqual([200, 200, 202]);
      expect(new Set(mine.map((answer) => answer.body.eventId)).size).toBe(1);
    }
    expect(await eventCount(stack)).toBe(before + bodies.length);
    const acceptedIds = answers.filter((answer) => answer.status === 202).map((answer) => answer.body.eventId as string);
    const [stored] = await stack.query<{ count: string }>('SELECT count(*) FROM events WHERE id = ANY($1::uuid[])', [acceptedIds]);
    expect(Number(stored?.count)).toBe(bodies.length);
  });
});

describe('ingest when PostgreSQL or Redis is unreachable', () => {
  let stack: TestStack;
  let postgres: TcpProxy;
  let redis: TcpProxy;
  let receiver: TestReceiver;

  beforeAll(async () => {
    postgres = await TcpProxy.start('127.0.0.1', 5432);
    redis = await TcpProxy.start('127.0.0.1', 6379);
    receiver = await TestReceiver.start();
    stack = await TestStack.start({
      rules: { 'shop.yaml': rulesFile([hmacSource('shop')], [httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}/hook` }])]) },
      ingestVia: { postgres: postgres.address, redis: redis.address },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([postgres?.down(), redis?.down(), receiver?.close()]);
  });

  it('answers 503 with Retry-After, never a 2xx, while PostgreSQL is unreachable', async () => {
    await postgres.down();
    try {
      const body = orderEvent();
      const answer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET });
      expect(answer.status).toBe(503);
      expect(answer.body.error).toBe('database_unavailable');
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(await stack.query('SELECT id FROM events WHERE idempotency_key = $1', [orderIdOf(body)])).toHaveLength(0);
    } finally {
      await postgres.up();
    }
    const retried = await waitFor(
      async () => {
        const answer = await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET });
        return answer.status === 202 ? answer : undefined;
      },
      15_000,
      'ingest to accept again after PostgreSQL came back',
    );
    expect(retried.status).toBe(202);
  });

  it('accepts with 202 while Redis is unreachable, and the sweeper gets the event processed once Redis is back', async () => {
    await redis.down();
    const body = orderEvent();
    let answer;
    try {
      answer = await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET });
      expect(answer.status).toBe(202);
      const [event] = await stack.query<{ status: string }>('SELECT status FROM events WHERE id = $1', [answer.body.eventId]);
      expect(event?.status).toBe('received');
    } finally {
      await redis.up();
    }
    const orderId = orderIdOf(body);
    await waitFor(
      () => receiver.requests.find((r) => (r.json() as { order: string }).order === orderId),
      20_000,
      'the swept event to reach the receiver',
    );
    const [event] = await stack.query<{ status: string }>('SELECT status FROM events WHERE id = $1', [answer.body.eventId]);
    expect(event?.status).toBe('dispatched');
  });
});
