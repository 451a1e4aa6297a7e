import { compileExpression } from '@hookflow/rules';
import { randomBytes, randomInt } from 'node:crypto';
import { Webhook } from 'svix';
import { StandardWebhooksVerifier } from './standard-webhooks.verifier';
import { SvixVerifier } from './svix.verifier';
import { DeliveryRequest, VerifiableSource } from './verifier';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const MSG_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const SENT_AT = new Date(RECEIVED_AT.getTime() - 2_000);
const BODY = '{"type":"contact.created","data":{"id":"c_1","email":"test@example.com","tags":["a","b"]}}';

const verifier = new SvixVerifier();

function source(secrets: string[] = [SECRET], settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'crm', provider: 'svix', secrets, settings };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: { 'content-type': 'application/json', ...headers },
    url: 'https://hooks.example.com/hooks/crm',
    receivedAt: RECEIVED_AT,
  };
}

/** Signed by `svix`, Svix's own SDK. */
function signed(body: string, { secret = SECRET, id = MSG_ID, at = SENT_AT } = {}): Record<string, string> {
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(id, at, body),
  };
}

function context(headers: Record<string, string>, payload: unknown) {
  return { event: { source: 'crm', receivedAt: RECEIVED_AT.toISOString(), headers }, payload };
}

describe('SvixVerifier', () => {
  it('is registered as the svix provider and shares the Standard Webhooks implementation', () => {
    expect(verifier.provider).toBe('svix');
    expect(verifier).toBeInstanceOf(StandardWebhooksVerifier);
  });

  it('accepts a delivery signed by the svix SDK', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY)), source())).toEqual({ ok: true });
  });

  it('agrees with the SDK on valid and tampered deliveries', () => {
    jest.useFakeTimers({ now: RECEIVED_AT });
    try {
      const webhook = new Webhook(SECRET);
      const sdkAccepts = (body: string, headers: Record<string, string>): boolean => {
        try {
          webhook.verify(body, headers);
          return true;
        } catch {
          return false;
        }
      };
      for (let iteration = 0; iteration < 50; iteration++) {
        const body = JSON.stringify({ type: 'ping', n: randomInt(1e9) });
        const headers = signed(body, { id: `msg_${iteration}`, at: new Date(RECEIVED_AT.getTime() + randomInt(-600, 600) * 1000) });

        for (const candidate of [body, body.replace('ping', 'pong')]) {
          expect([candidate, verifier.verify(delivery(candidate, headers), source()).ok]).toEqual([
            candidate,
            sdkAccepts(candidate, headers),
          ]);
        }
      }
    } finally {
      jest.useRealTimers();
    }
  });

  it('accepts the unbranded webhook- headers too', () => {
    const headers = signed(BODY);
    const unbranded = {
      'webhook-id': headers['svix-id'] ?? '',
      'webhook-timestamp': headers['svix-timestamp'] ?? '',
      'webhook-signature': headers['svix-signature'] ?? '',
    };

    expect(verifier.verify(delivery(BODY, unbranded), source())).toEqual({ ok: true });
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', () => {
    const next = `whsec_${randomBytes(24).toString('base64')}`;

    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: next })), source([SECRET, next]))).toEqual({ ok: true });
  });

  it('accepts a signature list where only the second v1 entry is valid', () => {
    const valid = signed(BODY)['svix-signature'] ?? '';
    const stale = signed(BODY, { secret: `whsec_${randomBytes(24).toString('base64')}` })['svix-signature'] ?? '';

    expect(verifier.verify(delivery(BODY, { ...signed(BODY), 'svix-signature': `${stale} ${valid}` }), source())).toEqual({ ok: true });
  });

  it('rejects a delivery signed with another secret', () => {
    const other = `whsec_${randomBytes(24).toString('base64')}`;

    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: other })), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a body with one byte changed', () => {
    expect(verifier.verify(delivery(BODY.replace('c_1', 'c_2'), signed(BODY)), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects the same JSON re-serialised with other whitespace', () => {
    const reserialised = JSON.stringify(JSON.parse(BODY), null, '\t');

    expect(JSON.parse(reserialised)).toEqual(JSON.parse(BODY));
    expect(verifier.verify(delivery(reserialised, signed(BODY)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('verifies unicode and escaped payloads byte for byte', () => {
    const literal = '{"type":"message.sent","text":"Zoë 🚀 naïve"}';
    const escaped = '{"type":"message.sent","text":"Zo\\u00eb \\ud83d\\ude80 na\\u00efve"}';

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(verifier.verify(delivery(literal, signed(literal)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(escaped)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(literal)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['older than the 300 s tolerance', -301, 'old'],
    ['further than 300 s in the future', 301, 'in the future'],
  ])('rejects a correctly signed delivery whose timestamp is %s', (_case, offsetSeconds, direction) => {
    const at = new Date(RECEIVED_AT.getTime() + offsetSeconds * 1000);

    expect(verifier.verify(delivery(BODY, signed(BODY, { at })), source())).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: `header svix-timestamp (or webhook-timestamp): timestamp is 301 s ${direction}; tolerance is 300 s`,
      evidence: {
        signatureHeader: 'svix-signature',
        timestampHeader: 'svix-timestamp',
        timestampSkewSeconds: -offsetSeconds,
        toleranceSeconds: 300,
      },
    });
  });

  it.each(['svix-signature', 'svix-id', 'svix-timestamp'])('rejects a delivery without %s as missing its signature', (header) => {
    const headers = Object.fromEntries(Object.entries(signed(BODY)).filter(([name]) => name !== header));

    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: `header ${header} (or ${header.replace('svix-', 'webhook-')}) is missing`,
      evidence: { signatureHeader: 'svix-signature', timestampHeader: 'svix-timestamp' },
    });
  });

  it('rejects truncated or garbled signatures as malformed', () => {
    const signature = signed(BODY)['svix-signature'] ?? '';
    const garbled = [
      signature.slice(0, -2),
      signature.slice(0, 12),
      `${signature}==`,
      signature.slice(3),
      `v1a,${signature.slice(3)}`,
      'v1,',
      '!!!',
    ];

    for (const header of garbled) {
      expect([header, verifier.verify(delivery(BODY, { ...signed(BODY), 'svix-signature': header }), source())]).toEqual([
        header,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
    expect(verifier.verify(delivery(BODY, { ...signed(BODY), 'svix-timestamp': 'yesterday' }), source())).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('never echoes a secret or the expected signature in its detail', () => {
    const expected = signed(BODY)['svix-signature'] ?? '';
    const verdict = verifier.verify(
      delivery(BODY, { ...signed(BODY), 'svix-signature': `v1,${Buffer.alloc(32).toString('base64')}` }),
      source(),
    );

    expect(verdict).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(JSON.stringify(verdict)).not.toContain(SECRET.slice('whsec_'.length));
    expect(JSON.stringify(verdict)).not.toContain(expected.slice(3));
  });

  it('never throws and never accepts random headers and bodies', () => {
    for (let iteration = 0; iteration < 300; iteration++) {
      const raw = randomBytes(randomInt(0, 60));
      const request = delivery(randomBytes(randomInt(0, 256)), {
        'svix-id': raw.toString('latin1'),
        'svix-timestamp': iteration % 2 === 0 ? String(Math.floor(RECEIVED_AT.getTime() / 1000)) : raw.toString('latin1'),
        'svix-signature': iteration % 3 === 0 ? `v1,${raw.toString('base64')}` : raw.toString('latin1'),
      });

      expect(verifier.verify(request, source([SECRET, raw.toString('latin1')])).ok).toBe(false);
    }
  });

  describe('defaults', () => {
    const eventType = compileExpression(verifier.defaults.eventType);
    const idempotencyKey = compileExpression(verifier.defaults.idempotencyKey);

    it('types an event by payload.type', async () => {
      expect(await eventType.evaluate(context({}, JSON.parse(BODY)))).toBe('contact.created');
    });

    it('keys an event by svix-id, falling back to webhook-id', async () => {
      expect(await idempotencyKey.evaluate(context(signed(BODY), {}))).toBe(MSG_ID);
      expect(await idempotencyKey.evaluate(context({ 'webhook-id': 'msg_unbranded' }, {}))).toBe('msg_unbranded');
    });
  });
});
