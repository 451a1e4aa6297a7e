import { compileExpression } from '@hookflow/rules';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { ShopifyVerifier } from './shopify.verifier';
import { verifierFor } from './verifier-registry';
import { DeliveryRequest, VerifiableSource } from './verifier';

const SECRET = 'shpss_It’s a Secret to Everybody';
const BODY =
  '{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00","line_items":[{"title":"IPod Nano - 8GB","quantity":1}]}';
const WEBHOOK_ID = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const verifier = new ShopifyVerifier();

function source(secrets: string[] = [SECRET]): VerifiableSource {
  return { id: 'shopify', provider: 'shopify', secrets, settings: {} };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: {
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': 'example.myshopify.com',
      'x-shopify-api-version': '2025-10',
      'x-shopify-webhook-id': WEBHOOK_ID,
      ...headers,
    },
    url: '/hooks/shopify',
    receivedAt: new Date('2026-01-01T00:00:00Z'),
  };
}

/**
 * Shopify has no signing SDK. This follows Shopify's "Verify webhooks"
 * (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook, now
 * "Verify webhook deliveries"): the HMAC-SHA256 of the raw body with the app's client secret,
 * base64-encoded, in `X-Shopify-Hmac-Sha256`.
 */
function signed(body: Buffer | string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** The same 32 bytes under Node's lenient decoder, but not their canonical base64. */
function nonCanonical(signature: string): string {
  const last = signature.charAt(42);
  return `${signature.slice(0, 42)}${BASE64_ALPHABET.charAt(BASE64_ALPHABET.indexOf(last) + 1)}=`;
}

describe('ShopifyVerifier', () => {
  it('is registered as the shopify provider', () => {
    expect(verifier.provider).toBe('shopify');
    expect(verifierFor('shopify')).toBeInstanceOf(ShopifyVerifier);
  });

  it('accepts a delivery signed with the client secret', () => {
    const signature = signed(BODY);

    expect(signature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(verifier.verify(delivery(BODY, { 'x-shopify-hmac-sha256': signature }), source())).toEqual({ ok: true });
  });

  it('accepts surrounding whitespace', () => {
    expect(verifier.verify(delivery(BODY, { 'x-shopify-hmac-sha256': ` ${signed(BODY)}  ` }), source())).toEqual({ ok: true });
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', () => {
    const signature = signed(BODY, 'shpss_new');

    expect(verifier.verify(delivery(BODY, { 'x-shopify-hmac-sha256': signature }), source([SECRET, 'shpss_new']))).toEqual({ ok: true });
  });

  it('rejects a delivery signed with another secret', () => {
    expect(verifier.verify(delivery(BODY, { 'x-shopify-hmac-sha256': signed(BODY, 'someone-else') }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a delivery with one byte of the body changed', () => {
    const signature = signed(BODY);
    const tampered = Buffer.from(BODY, 'utf8');
    tampered[tampered.indexOf('403')] = '9'.charCodeAt(0);

    expect(verifier.verify(delivery(tampered, { 'x-shopify-hmac-sha256': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects the same JSON re-serialised with other whitespace', () => {
    const signature = signed(BODY);
    const reserialised = BODY.replace(/,"/g, ', "').replace(/":/g, '": ');

    expect(reserialised).not.toBe(BODY);
    expect(verifier.verify(delivery(reserialised, { 'x-shopify-hmac-sha256': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('verifies unicode and escaped payloads byte for byte', () => {
    const literal = '{"id":1,"note":"Zoë 🚀 \\"naïve\\"\\n","customer":{"first_name":"Jürgen"}}';
    const escaped = '{"id":1,"note":"Zo\\u00eb \\ud83d\\ude80 \\"na\\u00efve\\"\\n","customer":{"first_name":"J\\u00fcrgen"}}';

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(verifier.verify(delivery(literal, { 'x-shopify-hmac-sha256': signed(literal) }), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, { 'x-shopify-hmac-sha256': signed(escaped) }), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, { 'x-shopify-hmac-sha256': signed(literal) }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it.each([
    ['absent', {}],
    ['empty', { 'x-shopify-hmac-sha256': '' }],
    ['blank', { 'x-shopify-hmac-sha256': '   ' }],
  ])('rejects a delivery whose X-Shopify-Hmac-Sha256 is %s as missing', (_case, headers: Record<string, string>) => {
    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'header x-shopify-hmac-sha256 is missing',
      evidence: { signatureHeader: 'x-shopify-hmac-sha256' },
    });
  });

  it('rejects truncated, padded, hex, url-safe and other non-base64 signatures as malformed', () => {
    const signature = signed(BODY);
    const digest = Buffer.from(signature, 'base64');
    const garbled = [
      signature.slice(0, -1),
      signature.slice(0, -2),
      `${signature}=`,
      `${signature}A`,
      `${signature.slice(0, 10)}-${signature.slice(11)}`,
      `${signature.slice(0, 10)}_${signature.slice(11)}`,
      `${signature.slice(0, 10)}*${signature.slice(11)}`,
      `${signature.slice(0, 20)} ${signature.slice(20)}`,
      digest.toString('hex'),
      digest.toString('base64url'),
      digest.subarray(0, 31).toString('base64'),
      Buffer.concat([digest, Buffer.from([0])]).toString('base64'),
      `sha256=${signature}`,
      nonCanonical(signature),
      'not a signature',
    ];

    expect(Buffer.from(nonCanonical(signature), 'base64')).toEqual(digest);
    for (const header of garbled) {
      expect([header, verifier.verify(delivery(BODY, { 'x-shopify-hmac-sha256': header }), source())]).toEqual([
        header,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
  });

  it('never echoes a secret or the expected signature in its detail', () => {
    const expected = signed(BODY);
    const verdict = verifier.verify(delivery(BODY, { 'x-shopify-hmac-sha256': Buffer.alloc(32).toString('base64') }), source());

    expect(verdict).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(JSON.stringify(verdict)).not.toContain(SECRET);
    expect(JSON.stringify(verdict)).not.toContain(expected);
  });

  it('never throws and never accepts random headers and bodies', () => {
    for (let iteration = 0; iteration < 500; iteration++) {
      const body = randomBytes(randomInt(0, 256));
      const raw = randomBytes(randomInt(0, 80));
      const candidates = [raw.subarray(0, 32).toString('base64'), raw.toString('base64'), raw.toString('latin1'), raw.toString('hex')];
      const header = candidates[iteration % candidates.length] ?? '';

      const verdict = verifier.verify(delivery(body, { 'x-shopify-hmac-sha256': header }), source([SECRET, 'second']));

      expect(verdict.ok).toBe(false);
    }
  });

  describe('defaults', () => {
    const context = (headers: Record<string, string>, payload: unknown) => ({
      event: { source: 'shopify', receivedAt: '2026-01-01T00:00:00.000Z', headers },
      payload,
    });

    it('names the event by X-Shopify-Topic and keys it by X-Shopify-Webhook-Id', async () => {
      const { headers } = delivery(BODY, { 'x-shopify-topic': 'orders/paid', 'x-shopify-hmac-sha256': signed(BODY) });

      expect(await compileExpression(verifier.defaults.eventType).evaluate(context(headers, JSON.parse(BODY)))).toBe('orders/paid');
      expect(await compileExpression(verifier.defaults.idempotencyKey).evaluate(context(headers, JSON.parse(BODY)))).toBe(WEBHOOK_ID);
    });

    it('leaves both absent without the headers', async () => {
      expect(await compileExpression(verifier.defaults.eventType).evaluate(context({}, { topic: 'orders/paid' }))).toBeUndefined();
      expect(await compileExpression(verifier.defaults.idempotencyKey).evaluate(context({}, { id: 1 }))).toBeUndefined();
    });
  });
});
