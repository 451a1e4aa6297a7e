import { compileExpression } from '@hookflow/rules';
import { randomBytes, randomInt } from 'node:crypto';
import Stripe from 'stripe';
import { StripeVerifier } from './stripe.verifier';
import { verifierFor } from './verifier-registry';
import { DeliveryRequest, VerifiableSource } from './verifier';

const SECRET = 'whsec_test_It’s a Secret to Everybody';
const BODY = '{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"payment_intent.succeeded","data":{"object":{"amount":2000}}}';
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const NOW = RECEIVED_AT.getTime() / 1000;

const verifier = new StripeVerifier();
const stripe = new Stripe('sk_test_x');

function source(secrets: string[] = [SECRET], settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'stripe', provider: 'stripe', secrets, settings };
}

function delivery(rawBody: Buffer | string, signature?: string): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: signature === undefined ? {} : { 'stripe-signature': signature },
    url: '/hooks/stripe',
    receivedAt: RECEIVED_AT,
  };
}

/** `t=<timestamp>,v1=<hex>` as Stripe's SDK writes it. */
function signed(
  payload: string,
  { secret = SECRET, timestamp = NOW, scheme }: { secret?: string; timestamp?: number; scheme?: string } = {},
): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp, scheme });
}

/** The `<scheme>=<hex>` part of a header written by the SDK. */
function signaturePart(header: string): string {
  return header.split(',')[1] ?? '';
}

describe('StripeVerifier', () => {
  it('is registered as the stripe provider', () => {
    expect(verifier.provider).toBe('stripe');
    expect(verifierFor('stripe')).toBeInstanceOf(StripeVerifier);
  });

  it("accepts a delivery signed by Stripe's SDK, as Stripe's SDK does", () => {
    const header = signed(BODY);

    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifier.verify(delivery(BODY, header), source())).toEqual({ ok: true });
    expect(stripe.webhooks.constructEvent(BODY, header, SECRET, 300, undefined, RECEIVED_AT.getTime())).toMatchObject({
      id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
    });
  });

  it('accepts a delivery signed 4 minutes ago or dated 4 minutes ahead', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 240 })), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 240 })), source())).toEqual({ ok: true });
  });

  it('accepts a delivery exactly at the 300 s default tolerance and rejects one a second beyond', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 300 })), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 300 })), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 301 })), source())).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('accepts a header whose second v1 signature is the valid one (Stripe rolling its secret)', () => {
    const [timestamp, valid] = signed(BODY).split(',');
    const stale = signaturePart(signed(BODY, { secret: 'whsec_expired' }));
    const header = `${timestamp},${stale},${valid}`;

    expect(verifier.verify(delivery(BODY, `${timestamp},${stale}`), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(verifier.verify(delivery(BODY, header), source())).toEqual({ ok: true });
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', () => {
    const header = signed(BODY, { secret: 'whsec_new' });

    expect(verifier.verify(delivery(BODY, header), source([SECRET, 'whsec_new']))).toEqual({ ok: true });
  });

  it('ignores v0 signatures and unknown items next to a valid v1', () => {
    const v0 = signaturePart(signed(BODY, { scheme: 'v0' }));
    const [timestamp, v1] = signed(BODY).split(',');

    expect(v0).toMatch(/^v0=/);
    expect(verifier.verify(delivery(BODY, `${timestamp},${v0},${v1},v2=future`), source())).toEqual({ ok: true });
  });

  it('rejects a delivery signed with another secret', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { secret: 'whsec_someone_else' })), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a delivery with one byte of the body changed', () => {
    const header = signed(BODY);
    const tampered = Buffer.from(BODY, 'utf8');
    tampered[tampered.indexOf('2000')] = '9'.charCodeAt(0);

    expect(verifier.verify(delivery(tampered, header), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects the same JSON re-serialised with other whitespace', () => {
    const header = signed(BODY);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);

    expect(JSON.parse(reserialised)).toEqual(JSON.parse(BODY));
    expect(verifier.verify(delivery(reserialised, header), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a replay whose t was rewritten to look fresh', () => {
    const old = signed(BODY, { timestamp: NOW - 3600 });
    const refreshed = old.replace(/^t=\d+/, `t=${NOW}`);

    expect(verifier.verify(delivery(BODY, refreshed), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a Stripe delivery signed 10 minutes ago', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 600 })), source())).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: 'header stripe-signature: timestamp is 600 s old; tolerance is 300 s',
      evidence: { signatureHeader: 'stripe-signature', timestampSkewSeconds: 600, toleranceSeconds: 300 },
    });
  });

  it('says how old a delivery with a wrong signature was, without the signature', () => {
    const header = signed(BODY, { secret: 'another secret', timestamp: NOW - 42 });
    const verdict = verifier.verify(delivery(BODY, header), source());

    expect(verdict).toMatchObject({
      reason: 'signature_mismatch',
      evidence: { signatureHeader: 'stripe-signature', timestampSkewSeconds: 42, toleranceSeconds: 300 },
    });
    expect(JSON.stringify(verdict)).not.toContain(signaturePart(header).slice(3, 19));
  });

  it('reports the tolerance the source sets', () => {
    const verdict = verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW - 90 })), source([SECRET], { tolerance: '1m' }));
    expect(verdict).toMatchObject({ reason: 'timestamp_out_of_tolerance', evidence: { timestampSkewSeconds: 90, toleranceSeconds: 60 } });
  });

  it('rejects a Stripe delivery dated 10 minutes in the future', () => {
    expect(verifier.verify(delivery(BODY, signed(BODY, { timestamp: NOW + 600 })), source())).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: 'header stripe-signature: timestamp is 600 s in the future; tolerance is 300 s',
      evidence: { signatureHeader: 'stripe-signature', timestampSkewSeconds: -600, toleranceSeconds: 300 },
    });
  });

  it('reports a forged old delivery as a signature mismatch, not a stale timestamp', () => {
    const forged = signed(BODY, { secret: 'whsec_forger', timestamp: NOW - 600 });

    expect(verifier.verify(delivery(BODY, forged), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it("honours the source's tolerance both ways", () => {
    const tight = source([SECRET], { tolerance: '30s' });
    const loose = source([SECRET], { tolerance: '1h' });

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
    const literal = '{"id":"evt_1","type":"customer.updated","data":{"object":{"name":"Zoë 🚀","note":"\\"naïve\\"\\n"}}}';
    const escaped =
      '{"id":"evt_1","type":"customer.updated","data":{"object":{"name":"Zo\\u00eb \\ud83d\\ude80","note":"\\"na\\u00efve\\"\\n"}}}';

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(verifier.verify(delivery(literal, signed(literal)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(escaped)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, signed(literal)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('rejects a delivery whose Stripe-Signature is %s as missing', (_case, header: string | undefined) => {
    expect(verifier.verify(delivery(BODY, header), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'header stripe-signature is missing',
      evidence: { signatureHeader: 'stripe-signature' },
    });
  });

  it('rejects truncated or garbled headers as malformed', () => {
    const header = signed(BODY);
    const [timestamp = '', v1 = ''] = header.split(',');
    const hex = v1.slice('v1='.length);
    const garbled = [
      header.slice(0, -1),
      `${header}0`,
      `${header.slice(0, -1)}g`,
      timestamp,
      v1,
      signaturePart(signed(BODY, { scheme: 'v0' })),
      `${timestamp},v1=`,
      `t=,${v1}`,
      `t=soon,${v1}`,
      `t=-${NOW},${v1}`,
      `t=${NOW}.5,${v1}`,
      `t=1e9,${v1}`,
      `${timestamp},${timestamp},${v1}`,
      `${timestamp};${v1}`,
      `${timestamp},${v1},`,
      `${timestamp},v1=${Buffer.from(hex, 'hex').toString('base64')}`,
      `${timestamp},v1:${hex}`,
      hex,
      Buffer.from(header).toString('base64'),
      JSON.stringify({ t: NOW, v1: hex }),
      'not a signature',
    ];

    for (const candidate of garbled) {
      expect([candidate, verifier.verify(delivery(BODY, candidate), source())]).toEqual([
        candidate,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
  });

  it('never echoes a secret or the expected signature in its detail', () => {
    const expected = signaturePart(signed(BODY)).slice('v1='.length);
    const verdicts = [
      verifier.verify(delivery(BODY, `t=${NOW},v1=${'0'.repeat(64)}`), source()),
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
      const candidates = [
        `t=${NOW},v1=${raw.toString('hex').slice(0, 64)}`,
        `t=${raw.toString('latin1')},v1=${raw.toString('hex')}`,
        raw.toString('latin1'),
        raw.toString('base64'),
        `t=${randomInt(0, 2 ** 47)},v1=${'a'.repeat(64)},v0=${raw.toString('hex')}`,
      ];
      const header = candidates[iteration % candidates.length] ?? '';

      const verdict = verifier.verify(delivery(body, header), source([SECRET, 'second']));

      expect(verdict.ok).toBe(false);
    }
  });

  describe('defaults', () => {
    const context = (payload: unknown) => ({
      event: { source: 'stripe', receivedAt: RECEIVED_AT.toISOString(), headers: { 'stripe-signature': signed(BODY) } },
      payload,
    });

    it('takes the event type and idempotency key from the Stripe event object', async () => {
      const payload: unknown = JSON.parse(BODY);

      expect(await compileExpression(verifier.defaults.eventType).evaluate(context(payload))).toBe('payment_intent.succeeded');
      expect(await compileExpression(verifier.defaults.idempotencyKey).evaluate(context(payload))).toBe('evt_1NG8Du2eZvKYlo2CUI79vXWy');
    });
  });
});
