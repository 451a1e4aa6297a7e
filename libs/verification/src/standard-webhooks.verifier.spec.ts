import { compileExpression } from '@hookflow/rules';
import { randomBytes, randomInt } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { StandardWebhooksVerifier } from './standard-webhooks.verifier';
import { DeliveryRequest, VerifiableSource } from './verifier';

const SECRET = `whsec_${Buffer.from('a 32-byte secret for the tests!!').toString('base64')}`;
const MSG_ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const SENT_AT = new Date(RECEIVED_AT.getTime() - 3_000);
const BODY = '{"type":"invoice.paid","timestamp":"2025-12-31T23:59:57Z","data":{"id":"inv_42","amount":1200}}';

const verifier = new StandardWebhooksVerifier();

function source(secrets: string[] = [SECRET], settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'billing', provider: 'standard-webhooks', secrets, settings };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: { 'content-type': 'application/json', ...headers },
    url: 'https://hooks.example.com/hooks/billing',
    receivedAt: RECEIVED_AT,
  };
}

/** Signed by `standardwebhooks`, the reference library of the specification. */
function signed(body: string, { secret = SECRET, id = MSG_ID, at = SENT_AT } = {}): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

function context(headers: Record<string, string>, payload: unknown) {
  return { event: { source: 'billing', receivedAt: RECEIVED_AT.toISOString(), headers }, payload };
}

describe('StandardWebhooksVerifier', () => {
  it('is registered as the standard-webhooks provider', () => {
    expect(verifier.provider).toBe('standard-webhooks');
  });

  it('accepts a delivery signed by the standardwebhooks library', () => {
    const headers = signed(BODY);

    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({ ok: true });
  });

  describe('agreement with the library', () => {
    beforeEach(() => jest.useFakeTimers({ now: RECEIVED_AT }));
    afterEach(() => jest.useRealTimers());

    it('agrees with Webhook.verify on valid and tampered deliveries', () => {
      const webhook = new Webhook(SECRET);
      const libraryAccepts = (body: string, headers: Record<string, string>): boolean => {
        try {
          webhook.verify(body, headers);
          return true;
        } catch {
          return false;
        }
      };

      for (let iteration = 0; iteration < 50; iteration++) {
        const body = JSON.stringify({ type: 'ping', n: randomInt(1e9), note: randomBytes(randomInt(0, 16)).toString('latin1') });
        const headers = signed(body, { id: `msg_${iteration}`, at: new Date(RECEIVED_AT.getTime() + randomInt(-600, 600) * 1000) });
        const tampered = body.replace('ping', 'pong');

        for (const candidate of [body, tampered]) {
          expect([candidate, verifier.verify(delivery(candidate, headers), source()).ok]).toEqual([
            candidate,
            libraryAccepts(candidate, headers),
          ]);
        }
      }
    });
  });

  it('accepts a secret given without the whsec_ prefix', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY)), source([SECRET.slice('whsec_'.length)]))).toEqual({ ok: true });
  });

  it('accepts the svix- headers too', () => {
    const headers = signed(BODY);
    const svixHeaders = {
      'svix-id': headers['webhook-id'] ?? '',
      'svix-timestamp': headers['webhook-timestamp'] ?? '',
      'svix-signature': headers['webhook-signature'] ?? '',
    };

    expect(verifier.verify(delivery(BODY, svixHeaders), source())).toEqual({ ok: true });
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', () => {
    const next = `whsec_${randomBytes(32).toString('base64')}`;

    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: next })), source([SECRET, next]))).toEqual({ ok: true });
  });

  it('accepts a signature list where only the second v1 entry is valid', () => {
    const valid = signed(BODY)['webhook-signature'] ?? '';
    const stale = signed(BODY, { secret: `whsec_${randomBytes(32).toString('base64')}` })['webhook-signature'] ?? '';

    expect(verifier.verify(delivery(BODY, { ...signed(BODY), 'webhook-signature': `${stale} ${valid}` }), source())).toEqual({ ok: true });
  });

  it('ignores entries of other versions, such as asymmetric v1a', () => {
    const valid = signed(BODY)['webhook-signature'] ?? '';
    const v1a = `v1a,${randomBytes(64).toString('base64')}`;

    expect(verifier.verify(delivery(BODY, { ...signed(BODY), 'webhook-signature': `${v1a} ${valid}` }), source())).toEqual({ ok: true });
    expect(
      verifier.verify(delivery(BODY, { ...signed(BODY), 'webhook-signature': `${v1a} v2,${valid.slice(3)}` }), source()),
    ).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('rejects a delivery signed with another secret', () => {
    const other = `whsec_${randomBytes(32).toString('base64')}`;

    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: other })), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a body with one byte changed', () => {
    const tampered = BODY.replace('1200', '1201');

    expect(verifier.verify(delivery(tampered, signed(BODY)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a delivery whose id or timestamp was changed after signing', () => {
    const headers = signed(BODY);

    expect(verifier.verify(delivery(BODY, { ...headers, 'webhook-id': 'msg_other' }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
    expect(
      verifier.verify(delivery(BODY, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) }), source()),
    ).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects the same JSON re-serialised with other whitespace', () => {
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);

    expect(JSON.parse(reserialised)).toEqual(JSON.parse(BODY));
    expect(verifier.verify(delivery(reserialised, signed(BODY)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('verifies unicode and escaped payloads byte for byte', () => {
    const literal = '{"type":"user.created","name":"Zoë 🚀","note":"naïve"}';
    const escaped = '{"type":"user.created","name":"Zo\\u00eb \\ud83d\\ude80","note":"na\\u00efve"}';

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(verifier.verify(delivery(literal, signed(literal)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(escaped)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(literal)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('names the svix- headers it read when the sender used them', () => {
    const headers = signed(BODY, { secret: `whsec_${Buffer.from('another secret of 32 bytes, too!').toString('base64')}` });
    const svixHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.replace('webhook-', 'svix-'), value]));

    expect(verifier.verify(delivery(BODY, svixHeaders), source())).toMatchObject({
      reason: 'signature_mismatch',
      evidence: { signatureHeader: 'svix-signature', timestampHeader: 'svix-timestamp', timestampSkewSeconds: 3, toleranceSeconds: 300 },
    });
  });

  it.each([
    ['older than the 300 s tolerance', -301, 'old'],
    ['further than 300 s in the future', 301, 'in the future'],
  ])('rejects a correctly signed delivery whose timestamp is %s', (_case, offsetSeconds, direction) => {
    const at = new Date(RECEIVED_AT.getTime() + offsetSeconds * 1000);

    expect(verifier.verify(delivery(BODY, signed(BODY, { at })), source())).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: `header webhook-timestamp (or svix-timestamp): timestamp is 301 s ${direction}; tolerance is 300 s`,
      evidence: {
        signatureHeader: 'webhook-signature',
        timestampHeader: 'webhook-timestamp',
        timestampSkewSeconds: -offsetSeconds,
        toleranceSeconds: 300,
      },
    });
  });

  it('accepts a timestamp at the edge of the tolerance, and honours a configured tolerance', () => {
    const request = delivery(BODY, signed(BODY, { at: new Date(RECEIVED_AT.getTime() - 300_000) }));

    expect(verifier.verify(request, source())).toEqual({ ok: true });
    expect(verifier.verify(request, source([SECRET], { tolerance: '1m' }))).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it.each(['webhook-signature', 'webhook-id', 'webhook-timestamp'])('rejects a delivery without %s as missing its signature', (header) => {
    const headers: Record<string, string> = { ...signed(BODY), [header]: '' };

    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: `header ${header} (or ${header.replace('webhook-', 'svix-')}) is missing`,
      evidence: { signatureHeader: 'webhook-signature', timestampHeader: 'webhook-timestamp' },
    });
  });

  it('rejects truncated or garbled signatures as malformed', () => {
    const signature = signed(BODY)['webhook-signature'] ?? '';
    const garbled = [
      signature.slice(0, -2),
      signature.slice(0, 10),
      `${signature}AAAA`,
      signature.slice(3),
      `v1 ${signature.slice(3)}`,
      `v1,${signature.slice(3).replace(/[A-Za-z]/, '!')}`,
      `v1,${Buffer.from(signature.slice(3), 'base64').toString('hex')}`,
      'v1,',
      'not a signature',
    ];

    for (const header of garbled) {
      expect([header, verifier.verify(delivery(BODY, { ...signed(BODY), 'webhook-signature': header }), source())]).toEqual([
        header,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
  });

  it.each(['soon', '1767225597.0', '-1767225597', '1767225597abc'])('rejects the non-numeric timestamp %s as malformed', (timestamp) => {
    expect(verifier.verify(delivery(BODY, { ...signed(BODY), 'webhook-timestamp': timestamp }), source())).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('rejects every delivery when no configured secret is base64', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY)), source(['whsec_not base64!', '']))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('never echoes a secret or the expected signature in its detail', () => {
    const expected = signed(BODY)['webhook-signature'] ?? '';
    const verdict = verifier.verify(
      delivery(BODY, { ...signed(BODY), 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` }),
      source(),
    );

    expect(verdict).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(JSON.stringify(verdict)).not.toContain(SECRET.slice('whsec_'.length));
    expect(JSON.stringify(verdict)).not.toContain(expected.slice(3));
  });

  it('never throws and never accepts random headers and bodies', () => {
    for (let iteration = 0; iteration < 500; iteration++) {
      const raw = randomBytes(randomInt(0, 60));
      const signatures = [`v1,${raw.toString('base64')}`, raw.toString('latin1'), `v1,${raw.toString('latin1')} v1a,x`, ''];
      const timestamps = [String(Math.floor(RECEIVED_AT.getTime() / 1000)), raw.toString('latin1'), '9'.repeat(30)];
      const request = delivery(randomBytes(randomInt(0, 256)), {
        'webhook-id': raw.toString('latin1'),
        'webhook-timestamp': timestamps[iteration % timestamps.length] ?? '',
        'webhook-signature': signatures[iteration % signatures.length] ?? '',
      });

      expect(verifier.verify(request, source([SECRET, raw.toString('latin1')])).ok).toBe(false);
    }
  });

  describe('defaults', () => {
    const eventType = compileExpression(verifier.defaults.eventType);
    const idempotencyKey = compileExpression(verifier.defaults.idempotencyKey);

    it('types an event by payload.type', async () => {
      expect(await eventType.evaluate(context({}, JSON.parse(BODY)))).toBe('invoice.paid');
    });

    it('keys an event by webhook-id, falling back to svix-id', async () => {
      expect(await idempotencyKey.evaluate(context({ 'webhook-id': 'msg_a', 'svix-id': 'msg_b' }, {}))).toBe('msg_a');
      expect(await idempotencyKey.evaluate(context({ 'svix-id': 'msg_b' }, {}))).toBe('msg_b');
    });
  });
});
