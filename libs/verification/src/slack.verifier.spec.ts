import { compileExpression } from '@hookflow/rules';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { SlackVerifier } from './slack.verifier';
import { verifierFor } from './verifier-registry';
import { DeliveryRequest, VerifiableSource } from './verifier';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5-It’s a Secret';
const BODY =
  '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","team_id":"T123ABC456","api_app_id":"A123ABC456","event":{"type":"app_mention","user":"U123ABC456","text":"<@U0LAN0Z89> is it everything a river should be?","ts":"1515449522.000016","channel":"C123ABC456","event_ts":"1515449522000016"},"type":"event_callback","event_id":"Ev123ABC456","event_time":1515449522}';
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const NOW = RECEIVED_AT.getTime() / 1000;

const verifier = new SlackVerifier();

function source(secrets: string[] = [SECRET], settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'slack', provider: 'slack', secrets, settings };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>, receivedAt = RECEIVED_AT): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: { 'content-type': 'application/json', ...headers },
    url: '/hooks/slack',
    receivedAt,
  };
}

/**
 * Slack has no signing SDK. This follows Slack's "Verifying requests from Slack"
 * (https://api.slack.com/authentication/verifying-requests-from-slack): the basestring is
 * `v0:<X-Slack-Request-Timestamp>:<raw body>`, its HMAC-SHA256 with the signing secret is sent
 * hex-encoded as `X-Slack-Signature: v0=<hex>`.
 */
function signed(body: string, { secret = SECRET, timestamp = NOW }: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

describe('SlackVerifier', () => {
  it('is registered as the slack provider', () => {
    expect(verifier.provider).toBe('slack');
    expect(verifierFor('slack')).toBeInstanceOf(SlackVerifier);
  });

  it('accepts an Events API delivery signed with the signing secret', () => {
    const headers = signed(BODY);

    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({ ok: true });
  });

  it('matches the worked example in Slack\'s "Verifying requests from Slack"', () => {
    // The slash command, secret, timestamp and signature of the guide's step-by-step walkthrough.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    };

    expect(
      verifier.verify(delivery(body, headers, new Date(1531420618_000 + 30_000)), source(['8f742231b10e8888abcd99yyyzzz85a5'])),
    ).toEqual({
      ok: true,
    });
  });

  it('accepts a delivery sent 4 minutes ago or dated 4 minutes ahead', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 240 })), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 240 })), source())).toEqual({ ok: true });
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: 'the-new-secret' })), source([SECRET, 'the-new-secret']))).toEqual({
      ok: true,
    });
  });

  it('accepts upper-case hex and surrounding whitespace', () => {
    const headers = signed(BODY);
    const upper = `  v0=${(headers['x-slack-signature'] ?? '').slice(3).toUpperCase()} `;

    expect(verifier.verify(delivery(BODY, { 'x-slack-request-timestamp': ` ${NOW} `, 'x-slack-signature': upper }), source())).toEqual({
      ok: true,
    });
  });

  it('rejects a delivery signed with another secret', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: 'someone-else' })), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a delivery with one byte of the body changed', () => {
    const headers = signed(BODY);
    const tampered = Buffer.from(BODY, 'utf8');
    tampered[tampered.indexOf('river')] = 'l'.charCodeAt(0);

    expect(verifier.verify(delivery(tampered, headers), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects the same JSON re-serialised with other whitespace', () => {
    const headers = signed(BODY);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);

    expect(JSON.parse(reserialised)).toEqual(JSON.parse(BODY));
    expect(verifier.verify(delivery(reserialised, headers), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a replay whose timestamp header was rewritten to look fresh', () => {
    const old = signed(BODY, { timestamp: NOW - 3600 });

    expect(verifier.verify(delivery(BODY, { ...old, 'x-slack-request-timestamp': String(NOW) }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a Slack request sent 10 minutes ago', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 600 })), source())).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: 'header x-slack-request-timestamp: timestamp is 600 s old; tolerance is 300 s',
      evidence: {
        signatureHeader: 'x-slack-signature',
        timestampHeader: 'x-slack-request-timestamp',
        timestampSkewSeconds: 600,
        toleranceSeconds: 300,
      },
    });
  });

  it('rejects a Slack request dated 10 minutes in the future', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 600 })), source())).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: 'header x-slack-request-timestamp: timestamp is 600 s in the future; tolerance is 300 s',
      evidence: {
        signatureHeader: 'x-slack-signature',
        timestampHeader: 'x-slack-request-timestamp',
        timestampSkewSeconds: -600,
        toleranceSeconds: 300,
      },
    });
  });

  it('accepts exactly 300 s of skew and rejects 301 s', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 300 })), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 301 })), source())).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('reports a forged old request as a signature mismatch, not a stale timestamp', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: 'forger', timestamp: NOW - 600 })), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it("honours the source's tolerance both ways", () => {
    const tight = source([SECRET], { tolerance: '30s' });
    const loose = source([SECRET], { tolerance: '15m' });

    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 60 })), tight)).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 60 })), tight)).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 600 })), loose)).toEqual({ ok: true });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 600 })), loose)).toEqual({ ok: true });
  });

  it('verifies unicode and escaped payloads byte for byte', () => {
    const literal = '{"type":"event_callback","event":{"type":"message","text":"Zoë 🚀 \\"naïve\\"\\n"}}';
    const escaped = '{"type":"event_callback","event":{"type":"message","text":"Zo\\u00eb \\ud83d\\ude80 \\"na\\u00efve\\"\\n"}}';
    const form = 'command=%2Fd%C3%A9ploie&text=Zo%C3%AB+%F0%9F%9A%80';

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(verifier.verify(delivery(literal, signed(literal)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(escaped)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(form, signed(form)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(literal)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['the signature is absent', { 'x-slack-request-timestamp': String(NOW) }, 'header x-slack-signature is missing'],
    [
      'the signature is blank',
      { 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': '  ' },
      'header x-slack-signature is missing',
    ],
    ['the timestamp is absent', { 'x-slack-signature': `v0=${'a'.repeat(64)}` }, 'header x-slack-request-timestamp is missing'],
    [
      'the timestamp is empty',
      { 'x-slack-signature': `v0=${'a'.repeat(64)}`, 'x-slack-request-timestamp': '' },
      'header x-slack-request-timestamp is missing',
    ],
    ['both are absent', {}, 'header x-slack-signature is missing'],
  ])('rejects a request as missing its signature when %s', (_case, headers: Record<string, string>, detail) => {
    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail,
      evidence: { signatureHeader: 'x-slack-signature', timestampHeader: 'x-slack-request-timestamp' },
    });
  });

  it('rejects truncated or garbled signatures and timestamps as malformed', () => {
    const headers = signed(BODY);
    const signature = headers['x-slack-signature'] ?? '';
    const hex = signature.slice('v0='.length);
    const garbledSignatures = [
      signature.slice(0, -1),
      `${signature}0`,
      `${signature.slice(0, -1)}g`,
      'v0=',
      hex,
      `v1=${hex}`,
      `sha256=${hex}`,
      `v0=${Buffer.from(hex, 'hex').toString('base64')}`,
      `v0=${hex},v0=${hex}`,
      'not a signature',
    ];
    const garbledTimestamps = [`${NOW}.5`, `-${NOW}`, '1e9', 'yesterday', new Date(NOW * 1000).toUTCString(), `${NOW},${NOW}`];

    for (const garbled of garbledSignatures) {
      expect([garbled, verifier.verify(delivery(BODY, { ...headers, 'x-slack-signature': garbled }), source())]).toEqual([
        garbled,
        expect.objectContaining({
          ok: false,
          reason: 'malformed_signature',
          detail: expect.stringContaining('x-slack-signature') as unknown,
        }),
      ]);
    }
    for (const garbled of garbledTimestamps) {
      expect([garbled, verifier.verify(delivery(BODY, { ...headers, 'x-slack-request-timestamp': garbled }), source())]).toEqual([
        garbled,
        expect.objectContaining({
          ok: false,
          reason: 'malformed_signature',
          detail: expect.stringContaining('x-slack-request-timestamp') as unknown,
        }),
      ]);
    }
  });

  it('never echoes a secret or the expected signature in its detail', () => {
    const expected = (signed(BODY)['x-slack-signature'] ?? '').slice('v0='.length);
    const verdicts = [
      verifier.verify(delivery(BODY, { 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': `v0=${'0'.repeat(64)}` }), source()),
      verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 600 })), source()),
    ];

    expect(verdicts.map((verdict) => verdict.ok)).toEqual([false, false]);
    for (const verdict of verdicts) {
      expect(JSON.stringify(verdict)).not.toContain(SECRET);
      expect(JSON.stringify(verdict)).not.toContain(expected);
    }
  });

  it('never throws and never accepts random headers and bodies', () => {
    for (let iteration = 0; iteration < 500; iteration++) {
      const body = randomBytes(randomInt(0, 256));
      const raw = randomBytes(randomInt(0, 80));
      const candidates: Record<string, string>[] = [
        { 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': `v0=${raw.toString('hex').slice(0, 64)}` },
        { 'x-slack-request-timestamp': raw.toString('latin1'), 'x-slack-signature': `v0=${'b'.repeat(64)}` },
        { 'x-slack-request-timestamp': String(randomInt(0, 2 ** 47)), 'x-slack-signature': raw.toString('latin1') },
        { 'x-slack-request-timestamp': raw.toString('hex'), 'x-slack-signature': raw.toString('base64') },
      ];
      const headers = candidates[iteration % candidates.length] ?? {};

      const verdict = verifier.verify(delivery(body, headers), source([SECRET, 'second']));

      expect(verdict.ok).toBe(false);
    }
  });

  describe('normalize', () => {
    it('unwraps the JSON in the payload field of an interactivity form post', () => {
      const interaction = { type: 'block_actions', user: { id: 'U123' }, actions: [{ action_id: 'approve', value: 'Zoë 🚀' }] };

      expect(verifier.normalize({ payload: JSON.stringify(interaction) })).toEqual(interaction);
    });

    it('returns slash command fields as they are', () => {
      const command = { command: '/deploy', text: 'production', user_id: 'U123', response_url: 'https://hooks.slack.com/commands/T1/2/3' };

      expect(verifier.normalize(command)).toBe(command);
    });

    it('leaves Events API payloads, and anything it cannot unwrap, untouched', () => {
      const envelope = JSON.parse(BODY) as unknown;
      const untouched: unknown[] = [
        envelope,
        { payload: 'not json' },
        { payload: '{"truncated":' },
        { payload: '"a string"' },
        { payload: '42' },
        { payload: 'null' },
        { payload: '[1,2]' },
        { payload: { type: 'block_actions' } },
        'payload=%7B%7D',
        null,
        undefined,
        [{ payload: '{}' }],
      ];

      for (const payload of untouched) expect(verifier.normalize(payload)).toBe(payload);
    });
  });

  describe('handshake', () => {
    it('answers the url_verification challenge with the challenge', () => {
      const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';

      expect(verifier.handshake({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge, type: 'url_verification' })).toEqual({
        status: 200,
        body: { challenge },
      });
    });

    it('has nothing to answer for events, interactions or odd payloads', () => {
      const others: unknown[] = [
        JSON.parse(BODY),
        { type: 'block_actions' },
        { type: 'url_verification' },
        { type: 'url_verification', challenge: 42 },
        { type: 'event_callback', challenge: 'abc' },
        'url_verification',
        null,
        undefined,
        [],
      ];

      for (const payload of others) expect(verifier.handshake(payload)).toBeUndefined();
    });
  });

  describe('defaults', () => {
    const eventType = compileExpression(verifier.defaults.eventType);
    const idempotencyKey = compileExpression(verifier.defaults.idempotencyKey);
    const context = (payload: unknown) => ({
      event: { source: 'slack', receivedAt: RECEIVED_AT.toISOString(), headers: signed(BODY) },
      payload,
    });

    it('names an Events API delivery by its inner event type and keys it by event_id', async () => {
      const payload: unknown = JSON.parse(BODY);

      expect(await eventType.evaluate(context(payload))).toBe('app_mention');
      expect(await idempotencyKey.evaluate(context(payload))).toBe('Ev123ABC456');
    });

    it('names an interaction by its type once normalised', async () => {
      const form = { payload: JSON.stringify({ type: 'view_submission', view: { callback_id: 'approve' } }) };

      expect(await eventType.evaluate(context(verifier.normalize(form)))).toBe('view_submission');
    });

    it('names the url_verification handshake by its type', async () => {
      expect(await eventType.evaluate(context({ type: 'url_verification', challenge: 'abc' }))).toBe('url_verification');
    });

    it('names a slash command by its command', async () => {
      const command = { command: '/deploy', text: 'production', trigger_id: '13345224609.738474920.8088930838d88f008e0' };

      expect(await eventType.evaluate(context(verifier.normalize(command)))).toBe('/deploy');
      expect(await idempotencyKey.evaluate(context(command))).toBeUndefined();
    });
  });
});
