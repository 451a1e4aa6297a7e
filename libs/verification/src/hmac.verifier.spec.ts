import { sign } from '@octokit/webhooks-methods';
import { randomBytes, randomInt } from 'node:crypto';
import { HmacVerifier } from './hmac.verifier';
import { NoneVerifier } from './none.verifier';
import { DeliveryRequest, VerifiableSource, Verifier } from './verifier';

const SECRET = 'It’s a Secret to Everybody';
const BODY = '{"action":"created","order":{"id":42,"total":120.5}}';

const verifier = new HmacVerifier();

function source(secrets: string[] = [SECRET], settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'shop', provider: 'hmac', secrets, settings };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers,
    url: '/hooks/shop',
    receivedAt: new Date('2026-01-01T00:00:00Z'),
  };
}

function signed(body: string, secret = SECRET): Promise<string> {
  return sign({ secret, algorithm: 'sha256' }, body);
}

describe('HmacVerifier', () => {
  it('accepts a delivery signed with the secret, sha256= prefix included', async () => {
    const signature = await signed(BODY);

    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifier.verify(delivery(BODY, { 'x-webhook-signature': signature }), source())).toEqual({ ok: true });
  });

  it('accepts a bare hex signature without the prefix', async () => {
    const hex = (await signed(BODY)).slice('sha256='.length);

    expect(verifier.verify(delivery(BODY, { 'x-webhook-signature': hex }), source())).toEqual({ ok: true });
  });

  it('accepts upper-case hex and surrounding whitespace', async () => {
    const hex = (await signed(BODY)).slice('sha256='.length).toUpperCase();

    expect(verifier.verify(delivery(BODY, { 'x-webhook-signature': ` SHA256=${hex} ` }), source())).toEqual({ ok: true });
  });

  it('reads the signature from the header named in the settings', async () => {
    const signature = await signed(BODY);
    const custom = source([SECRET], { header: 'X-Shop-Signature' });

    expect(verifier.verify(delivery(BODY, { 'x-shop-signature': signature }), custom)).toEqual({ ok: true });
    expect(verifier.verify(delivery(BODY, { 'x-webhook-signature': signature }), custom)).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', async () => {
    const signature = await signed(BODY, 'new-secret');

    expect(verifier.verify(delivery(BODY, { 'x-webhook-signature': signature }), source([SECRET, 'new-secret']))).toEqual({ ok: true });
  });

  it('rejects a delivery signed with another secret', async () => {
    const signature = await signed(BODY, 'someone-else');

    expect(verifier.verify(delivery(BODY, { 'x-webhook-signature': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a body with one byte changed', async () => {
    const signature = await signed(BODY);
    const tampered = Buffer.from(BODY, 'utf8');
    tampered[tampered.indexOf('4')] = '5'.charCodeAt(0);

    expect(verifier.verify(delivery(tampered, { 'x-webhook-signature': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects the same JSON re-serialised with other whitespace', async () => {
    const signature = await signed(BODY);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);

    expect(JSON.parse(reserialised)).toEqual(JSON.parse(BODY));
    expect(verifier.verify(delivery(reserialised, { 'x-webhook-signature': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('verifies unicode and escaped payloads byte for byte', async () => {
    const literal = '{"name":"Zoë 🚀","note":"naïve"}';
    const escaped = '{"name":"Zo\\u00eb \\ud83d\\ude80","note":"na\\u00efve"}';
    const literalSignature = await signed(literal);
    const escapedSignature = await signed(escaped);

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(verifier.verify(delivery(literal, { 'x-webhook-signature': literalSignature }), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, { 'x-webhook-signature': escapedSignature }), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, { 'x-webhook-signature': literalSignature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it.each([
    ['absent', {}],
    ['empty', { 'x-webhook-signature': '' }],
    ['blank', { 'x-webhook-signature': '   ' }],
  ])('rejects a delivery whose signature header is %s as missing', (_case, headers: Record<string, string>) => {
    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'header x-webhook-signature is missing',
    });
  });

  it('rejects truncated or garbled signatures as malformed', async () => {
    const signature = await signed(BODY);
    const garbled = [
      signature.slice(0, -1),
      `${signature}0`,
      `${signature.slice(0, -1)}g`,
      'sha256=',
      'sha1=0123456789abcdef0123456789abcdef01234567',
      `sha512=${signature.slice('sha256='.length)}`,
      Buffer.from(signature).toString('base64'),
      'not a signature',
    ];

    for (const header of garbled) {
      expect([header, verifier.verify(delivery(BODY, { 'x-webhook-signature': header }), source())]).toEqual([
        header,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
  });

  it('never echoes a secret or the expected signature in its detail', async () => {
    const expected = (await signed(BODY)).slice('sha256='.length);
    const verdict = verifier.verify(delivery(BODY, { 'x-webhook-signature': '0'.repeat(64) }), source());

    expect(verdict).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(JSON.stringify(verdict)).not.toContain(SECRET);
    expect(JSON.stringify(verdict)).not.toContain(expected);
  });

  it('never throws and never accepts random headers and bodies', () => {
    for (let iteration = 0; iteration < 500; iteration++) {
      const body = randomBytes(randomInt(0, 256));
      const raw = randomBytes(randomInt(0, 80));
      const candidates = [
        raw.toString('hex').slice(0, 64),
        `sha256=${raw.toString('hex')}`,
        raw.toString('latin1'),
        raw.toString('base64'),
      ];
      const header = candidates[iteration % candidates.length] ?? '';

      const verdict = verifier.verify(delivery(body, { 'x-webhook-signature': header }), source([SECRET, 'second']));

      expect(verdict.ok).toBe(false);
    }
  });
});

describe('NoneVerifier', () => {
  it('accepts any delivery, signed or not', () => {
    const none: Verifier = new NoneVerifier();
    const unsigned = { id: 'trusted', provider: 'none', secrets: [], settings: {} };

    expect(none.verify(delivery(BODY, {}), unsigned)).toEqual({ ok: true });
    expect(none.verify(delivery(randomBytes(64), { 'x-webhook-signature': 'garbage' }), unsigned)).toEqual({ ok: true });
  });
});
