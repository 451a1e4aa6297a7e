import { sign } from '@octokit/webhooks-methods';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
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
      evidence: { signatureHeader: 'x-webhook-signature' },
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

describe('HmacVerifier settings', () => {
  const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
  const NOW = String(Math.floor(RECEIVED_AT.getTime() / 1000));

  /** The documented scheme: HMAC(secret, signed content) in the configured encoding. */
  function hmac(
    content: Buffer | string,
    { secret = SECRET, algorithm = 'sha256', encoding = 'hex' }: { secret?: string; algorithm?: string; encoding?: 'hex' | 'base64' } = {},
  ): string {
    return createHmac(algorithm, secret).update(content).digest(encoding);
  }

  function at(rawBody: Buffer | string, headers: Record<string, string>, url = '/hooks/shop'): DeliveryRequest {
    return { ...delivery(rawBody, headers), url, receivedAt: RECEIVED_AT };
  }

  describe.each([
    ['X-Webhook-Signature', 'x-webhook-signature'],
    ['X-Signature', 'x-signature'],
    ['X-Meter-Signature', 'x-meter-signature'],
  ])('configured with header %s', (configured, received) => {
    const configuredSource = source([SECRET], { header: configured });

    it('accepts a hex HMAC-SHA256 of the body in that header, bare or prefixed sha256=', () => {
      const hex = hmac(BODY);

      expect(verifier.verify(at(BODY, { [received]: hex }), configuredSource)).toEqual({ ok: true });
      expect(verifier.verify(at(BODY, { [received]: `sha256=${hex}` }), configuredSource)).toEqual({ ok: true });
    });

    it('rejects a delivery that carries the signature in no other header as missing', () => {
      const elsewhere = received === 'x-signature' ? 'x-webhook-signature' : 'x-signature';

      expect(verifier.verify(at(BODY, { [elsewhere]: hmac(BODY) }), configuredSource)).toEqual({
        ok: false,
        reason: 'missing_signature',
        detail: `header ${received} is missing`,
        evidence: { signatureHeader: received },
      });
    });

    it('rejects a signature made with another secret as a mismatch', () => {
      expect(verifier.verify(at(BODY, { [received]: hmac(BODY, { secret: 'other' }) }), configuredSource)).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });
  });

  describe.each([
    ['sha1', 'hex', 40],
    ['sha256', 'hex', 64],
    ['sha512', 'hex', 128],
    ['sha1', 'base64', 28],
    ['sha256', 'base64', 44],
    ['sha512', 'base64', 88],
  ] as const)('with algorithm %s and encoding %s', (algorithm, encoding, length) => {
    const configured = source([SECRET], { algorithm, encoding });

    it('accepts the body signed that way', () => {
      const signature = hmac(BODY, { algorithm, encoding });

      expect(signature).toHaveLength(length);
      expect(verifier.verify(at(BODY, { 'x-webhook-signature': signature }), configured)).toEqual({ ok: true });
    });

    it(`tolerates a ${algorithm}= prefix when no prefix is configured`, () => {
      const signature = `${algorithm}=${hmac(BODY, { algorithm, encoding })}`;

      expect(verifier.verify(at(BODY, { 'x-webhook-signature': signature }), configured)).toEqual({ ok: true });
    });

    it('rejects a signature of the wrong length or alphabet as malformed', () => {
      const signature = hmac(BODY, { algorithm, encoding });
      const otherAlgorithm = algorithm === 'sha256' ? 'sha512' : 'sha256';
      const otherEncoding = encoding === 'hex' ? 'base64' : 'hex';
      const garbled = [
        signature.slice(0, -4),
        `${signature}AAAA`,
        hmac(BODY, { algorithm: otherAlgorithm, encoding }),
        hmac(BODY, { algorithm, encoding: otherEncoding }),
        `${signature.slice(0, 10)}!${signature.slice(11)}`,
        `${signature.slice(0, 10)} ${signature.slice(11)}`,
      ];

      for (const header of garbled) {
        expect([header, verifier.verify(at(BODY, { 'x-webhook-signature': header }), configured)]).toEqual([
          header,
          expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
        ]);
      }
    });

    it('rejects the signature of another body as a mismatch', () => {
      const signature = hmac(`${BODY} `, { algorithm, encoding });

      expect(verifier.verify(at(BODY, { 'x-webhook-signature': signature }), configured)).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });
  });

  it('accepts base64 signatures in the URL-safe alphabet and without padding', () => {
    const configured = source([SECRET], { encoding: 'base64' });
    const urlSafe = createHmac('sha256', SECRET).update(BODY).digest('base64url');

    expect(urlSafe).toHaveLength(43);
    expect(verifier.verify(at(BODY, { 'x-webhook-signature': urlSafe }), configured)).toEqual({ ok: true });
    expect(verifier.verify(at(BODY, { 'x-webhook-signature': hmac(BODY, { encoding: 'base64' }).replace(/=+$/, '') }), configured)).toEqual(
      {
        ok: true,
      },
    );
  });

  describe('with a configured prefix', () => {
    const prefixed = source([SECRET], { header: 'X-Signature', prefix: 'v1=' });

    it('accepts the signature with or without the prefix, in any case', () => {
      const hex = hmac(BODY);

      for (const header of [`v1=${hex}`, `V1=${hex}`, hex]) {
        expect(verifier.verify(at(BODY, { 'x-signature': header }), prefixed)).toEqual({ ok: true });
      }
    });

    it('no longer strips the algorithm prefix', () => {
      expect(verifier.verify(at(BODY, { 'x-signature': `sha256=${hmac(BODY)}` }), prefixed)).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
        detail: 'header x-signature is not a hex HMAC-SHA256 (optionally prefixed v1=)',
      });
    });
  });

  describe('with a timestamp header', () => {
    const timed = source([SECRET, 'new-secret'], { header: 'X-Signature', timestampHeader: 'X-Timestamp' });

    function timedDelivery(timestamp: string, signature = hmac(`${timestamp}.${BODY}`)): DeliveryRequest {
      return at(BODY, { 'x-signature': signature, 'x-timestamp': timestamp });
    }

    it('signs "{timestamp}.{body}" by default and accepts a fresh delivery', () => {
      expect(verifier.verify(timedDelivery(NOW), timed)).toEqual({ ok: true });
      expect(verifier.verify(timedDelivery(NOW, hmac(`${NOW}.${BODY}`, { secret: 'new-secret' })), timed)).toEqual({ ok: true });
    });

    it('rejects the body signed without the timestamp as a mismatch', () => {
      expect(verifier.verify(timedDelivery(NOW, hmac(BODY)), timed)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('rejects a signature replayed with another timestamp as a mismatch', () => {
      const signature = hmac(`${NOW}.${BODY}`);
      const later = String(Number(NOW) + 60);

      expect(verifier.verify(timedDelivery(later, signature), timed)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('reports the headers read and the skew of a stale delivery', () => {
      const stale = String(Number(NOW) - 400);
      expect(verifier.verify(timedDelivery(stale), timed)).toMatchObject({
        reason: 'timestamp_out_of_tolerance',
        evidence: { signatureHeader: 'x-signature', timestampHeader: 'x-timestamp', timestampSkewSeconds: 400, toleranceSeconds: 300 },
      });
    });

    it('requires the timestamp', () => {
      expect(verifier.verify(at(BODY, { 'x-signature': hmac(`${NOW}.${BODY}`) }), timed)).toEqual({
        ok: false,
        reason: 'missing_signature',
        detail: 'header x-timestamp is missing',
        evidence: { signatureHeader: 'x-signature', timestampHeader: 'x-timestamp' },
      });
    });

    it.each(['1767225600.5', '-1767225600', '2026-01-01T00:00:00Z', '1767225600000000000', 'now'])(
      'rejects the timestamp %s, not Unix seconds, as malformed',
      (timestamp) => {
        expect(verifier.verify(timedDelivery(timestamp), timed)).toMatchObject({ ok: false, reason: 'malformed_signature' });
      },
    );

    it.each([
      [-300, true],
      [300, true],
      [-301, false],
      [301, false],
      [-86_400, false],
    ])('with the timestamp %i s from the clock, accepts it: %s (default tolerance 300 s)', (offset, accepted) => {
      const timestamp = String(Number(NOW) + offset);
      const verdict = verifier.verify(timedDelivery(timestamp), timed);

      expect(verdict).toEqual(accepted ? { ok: true } : expect.objectContaining({ ok: false, reason: 'timestamp_out_of_tolerance' }));
    });

    it('applies the source tolerance', () => {
      const strict = source([SECRET], { ...timed.settings, tolerance: '10s' });

      expect(verifier.verify(timedDelivery(String(Number(NOW) - 10)), strict)).toEqual({ ok: true });
      expect(verifier.verify(timedDelivery(String(Number(NOW) - 11)), strict)).toMatchObject({
        ok: false,
        reason: 'timestamp_out_of_tolerance',
        detail: 'header x-timestamp: timestamp is 11 s old; tolerance is 10 s',
      });
      expect(verifier.verify(timedDelivery(String(Number(NOW) + 11)), strict)).toMatchObject({
        ok: false,
        reason: 'timestamp_out_of_tolerance',
        detail: 'header x-timestamp: timestamp is 11 s in the future; tolerance is 10 s',
      });
    });
  });

  describe('with a signedContent template', () => {
    const templated = source([SECRET], {
      header: 'X-Meter-Signature',
      timestampHeader: 'X-Meter-Timestamp',
      signedContent: 'v0:{timestamp}:{body}',
      algorithm: 'sha512',
      encoding: 'base64',
    });

    it('signs the template with the timestamp and body in place', () => {
      const signature = hmac(`v0:${NOW}:${BODY}`, { algorithm: 'sha512', encoding: 'base64' });

      expect(verifier.verify(at(BODY, { 'x-meter-signature': signature, 'x-meter-timestamp': NOW }), templated)).toEqual({ ok: true });
      expect(
        verifier.verify(at(BODY, { 'x-meter-signature': signature, 'x-meter-timestamp': String(Number(NOW) - 1) }), templated),
      ).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('signs the raw body bytes, not their decoding as text', () => {
      const binary = Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x7d]);
      const signature = hmac(Buffer.concat([Buffer.from(`v0:${NOW}:`), binary]), { algorithm: 'sha512', encoding: 'base64' });
      const viaText = hmac(`v0:${NOW}:${binary.toString('utf8')}`, { algorithm: 'sha512', encoding: 'base64' });

      expect(viaText).not.toBe(signature);
      expect(verifier.verify(at(binary, { 'x-meter-signature': signature, 'x-meter-timestamp': NOW }), templated)).toEqual({ ok: true });
      expect(verifier.verify(at(binary, { 'x-meter-signature': viaText, 'x-meter-timestamp': NOW }), templated)).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('can sign the body alone even with a timestamp header, the timestamp still checked', () => {
      const bodyOnly = source([SECRET], { timestampHeader: 'X-Timestamp', signedContent: '{body}' });
      const signature = hmac(BODY);

      expect(verifier.verify(at(BODY, { 'x-webhook-signature': signature, 'x-timestamp': NOW }), bodyOnly)).toEqual({ ok: true });
      expect(verifier.verify(at(BODY, { 'x-webhook-signature': signature, 'x-timestamp': '1000' }), bodyOnly)).toMatchObject({
        ok: false,
        reason: 'timestamp_out_of_tolerance',
      });
    });

    it('rejects every delivery when the template needs a timestamp but no timestamp header is configured', () => {
      const misconfigured = source([SECRET], { signedContent: '{timestamp}.{body}' });

      expect(verifier.verify(at(BODY, { 'x-webhook-signature': hmac(`.${BODY}`) }), misconfigured)).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    });
  });

  it('never echoes a secret, the signature or the timestamp-signed content in its details', () => {
    const timed = source([SECRET], { timestampHeader: 'X-Timestamp', tolerance: 1 });
    const expected = hmac(`${NOW}.${BODY}`);
    const verdicts = [
      verifier.verify(at(BODY, { 'x-webhook-signature': expected.replace(/^./, 'f'), 'x-timestamp': NOW }), timed),
      verifier.verify(at(BODY, { 'x-webhook-signature': expected, 'x-timestamp': '1' }), timed),
      verifier.verify(at(BODY, { 'x-webhook-signature': `${expected}00`, 'x-timestamp': NOW }), timed),
    ];

    for (const verdict of verdicts) {
      expect(verdict.ok).toBe(false);
      expect(JSON.stringify(verdict)).not.toContain(SECRET);
      expect(JSON.stringify(verdict)).not.toContain(expected.slice(1));
    }
  });

  it('reads nothing from header names that exist only on the object prototype', () => {
    for (const header of ['constructor', '__proto__', 'toString']) {
      expect(verifier.verify(at(BODY, {}), source([SECRET], { header, timestampHeader: header }))).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    }
  });
});
