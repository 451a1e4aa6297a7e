import { compileExpression, DEFAULT_EXPRESSION_LIMITS } from '@hookflow/rules';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { generateKeyPairSync, KeyObject, randomBytes, randomInt, sign } from 'node:crypto';
import { SendgridVerifier } from './sendgrid.verifier';
import { DeliveryRequest, VerifiableSource } from './verifier';

/** These tests check what the provider's expressions give, not how fast: no time limit a busy machine could hit. */
const UNHURRIED = { ...DEFAULT_EXPRESSION_LIMITS, timeoutMs: 10_000 };

const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const TIMESTAMP = String(RECEIVED_AT.getTime() / 1000 - 5);
const BODY =
  '[{"email":"example@test.com","timestamp":1767225590,"event":"processed","sg_event_id":"cHJvY2Vzc2VkLTE","sg_message_id":"14c5d75ce93.dfd.64b469"},' +
  '{"email":"example@test.com","timestamp":1767225595,"event":"delivered","sg_event_id":"ZGVsaXZlcmVkLTA","response":"250 OK"}]\r\n';

const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

const verifier = new SendgridVerifier();
const reference = new EventWebhook();

function keyPair(): { privateKey: KeyObject; publicKey: string; pem: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey: pair.privateKey,
    // What the SendGrid console shows: base64 of the DER SubjectPublicKeyInfo.
    publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    pem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const KEYS = keyPair();

function source(publicKey: string = KEYS.publicKey, settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'mail', provider: 'sendgrid', secrets: [], settings: { publicKey, ...settings } };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>, receivedAt = RECEIVED_AT): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: { 'content-type': 'application/json', ...headers },
    url: 'https://hooks.example.com/hooks/mail',
    receivedAt,
  };
}

/** Signed as SendGrid signs: ECDSA P-256 / SHA-256 over the timestamp then the body bytes, base64 DER. */
function signed(body: Buffer | string, timestamp = TIMESTAMP, privateKey = KEYS.privateKey): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return sign('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), bytes]), privateKey).toString('base64');
}

function headers(signature: string, timestamp = TIMESTAMP): Record<string, string> {
  return { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp };
}

/** The verdict of SendGrid's own library, `@sendgrid/eventwebhook`. */
function referenceAccepts(body: string, signature: string, timestamp = TIMESTAMP, publicKey = KEYS.publicKey): boolean {
  return reference.verifySignature(reference.convertPublicKeyToECDSA(publicKey), body, signature, timestamp);
}

function context(payload: unknown) {
  return { event: { source: 'mail', receivedAt: RECEIVED_AT.toISOString(), headers: {} }, payload };
}

describe('SendgridVerifier', () => {
  it('is registered as the sendgrid provider', () => {
    expect(verifier.provider).toBe('sendgrid');
  });

  it('accepts a delivery signed with the key pair, agreeing with @sendgrid/eventwebhook', () => {
    const signature = signed(BODY);

    expect(referenceAccepts(BODY, signature)).toBe(true);
    expect(verifier.verify(delivery(BODY, headers(signature)), source())).toEqual({ ok: true });
  });

  it("accepts the sample delivery from @sendgrid/eventwebhook's own tests", () => {
    const publicKey =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
    const signature = 'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=';
    const timestamp = '1600112502';
    const body =
      JSON.stringify([
        {
          email: 'hello@world.com',
          event: 'dropped',
          reason: 'Bounced Address',
          sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
          sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
          'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
          timestamp: 1600112492,
        },
      ]) + '\r\n';

    expect(referenceAccepts(body, signature, timestamp, publicKey)).toBe(true);
    expect(verifier.verify(delivery(body, headers(signature, timestamp), new Date(1600112510_000)), source(publicKey))).toEqual({
      ok: true,
    });
    expect(
      verifier.verify(delivery(body.trimEnd(), headers(signature, timestamp), new Date(1600112510_000)), source(publicKey)),
    ).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('accepts the verification key as PEM too', () => {
    expect(verifier.verify(delivery(BODY, headers(signed(BODY))), source(KEYS.pem))).toEqual({ ok: true });
  });

  it('needs no secrets: the public key is the only setting', () => {
    const noSecrets = source();

    expect(noSecrets.secrets).toEqual([]);
    expect(verifier.verify(delivery(BODY, headers(signed(BODY))), noSecrets)).toEqual({ ok: true });
  });

  it('rejects a body with one byte changed, as @sendgrid/eventwebhook does', () => {
    const signature = signed(BODY);
    const tampered = BODY.replace('1767225590', '1767225591');

    expect(referenceAccepts(tampered, signature)).toBe(false);
    expect(verifier.verify(delivery(tampered, headers(signature)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a delivery whose timestamp header was changed after signing', () => {
    const signature = signed(BODY);
    const shifted = String(Number(TIMESTAMP) + 1);

    expect(referenceAccepts(BODY, signature, shifted)).toBe(false);
    expect(verifier.verify(delivery(BODY, headers(signature, shifted)), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects the same JSON re-serialised with other whitespace', () => {
    const signature = signed(BODY);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);

    expect(JSON.parse(reserialised)).toEqual(JSON.parse(BODY));
    expect(referenceAccepts(reserialised, signature)).toBe(false);
    expect(verifier.verify(delivery(reserialised, headers(signature)), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a delivery signed with another key pair', () => {
    const other = keyPair();
    const signature = signed(BODY, TIMESTAMP, other.privateKey);

    expect(referenceAccepts(BODY, signature)).toBe(false);
    expect(verifier.verify(delivery(BODY, headers(signature)), source())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(verifier.verify(delivery(BODY, headers(signature)), source(other.publicKey))).toEqual({ ok: true });
  });

  it('verifies unicode and escaped payloads byte for byte', () => {
    const literal = '[{"event":"open","email":"zoë@exämple.com","note":"🚀 naïve"}]';
    const escaped = '[{"event":"open","email":"zo\\u00eb@ex\\u00e4mple.com","note":"\\ud83d\\ude80 na\\u00efve"}]';
    const literalSignature = signed(literal);
    const escapedSignature = signed(escaped);

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(referenceAccepts(literal, literalSignature)).toBe(true);
    expect(verifier.verify(delivery(literal, headers(literalSignature)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, headers(escapedSignature)), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, headers(literalSignature)), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('agrees with @sendgrid/eventwebhook on random deliveries, valid and tampered', () => {
    for (let iteration = 0; iteration < 20; iteration++) {
      const body = JSON.stringify([{ event: 'delivered', sg_event_id: randomBytes(9).toString('base64url'), n: randomInt(1e9) }]);
      const signature = signed(body);
      const tampered = body.replace('delivered', 'deLivered');

      for (const candidate of [body, tampered]) {
        expect(verifier.verify(delivery(candidate, headers(signature)), source()).ok).toBe(referenceAccepts(candidate, signature));
      }
    }
  });

  it.each([
    ['the signature header is absent', { [TIMESTAMP_HEADER]: TIMESTAMP }, SIGNATURE_HEADER],
    ['the signature header is blank', { [SIGNATURE_HEADER]: ' ', [TIMESTAMP_HEADER]: TIMESTAMP }, SIGNATURE_HEADER],
    ['the timestamp header is absent', { [SIGNATURE_HEADER]: 'MEUCIQ==' }, TIMESTAMP_HEADER],
  ])('rejects a delivery as missing its signature when %s', (_case, given: Record<string, string>, named) => {
    expect(verifier.verify(delivery(BODY, given), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: `header ${named} is missing`,
      evidence: { signatureHeader: 'x-twilio-email-event-webhook-signature', timestampHeader: 'x-twilio-email-event-webhook-timestamp' },
    });
  });

  it('rejects truncated or garbled signatures as malformed', () => {
    const signature = signed(BODY);
    const der = Buffer.from(signature, 'base64');
    const garbled = [
      signature.slice(0, -4),
      signature.slice(0, 20),
      `${signature}AAAA`,
      `${signature.slice(0, 10)}-${signature.slice(11)}`, // a URL-safe character where standard base64 is expected
      der.toString('hex'),
      Buffer.concat([der, Buffer.from([0])]).toString('base64'),
      Buffer.from([0x31, ...der.subarray(1)]).toString('base64'),
      randomBytes(64).toString('base64'),
      'not a signature',
    ];

    for (const header of garbled) {
      expect([header, verifier.verify(delivery(BODY, headers(header)), source())]).toEqual([
        header,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
  });

  it.each(['soon', '1767225595.5', '-1767225595', '0x69555f0b', '1767225595abc', '2026-01-01T00:00:00Z'])(
    'rejects the non-numeric timestamp %s as malformed',
    (timestamp) => {
      expect(verifier.verify(delivery(BODY, headers(signed(BODY, timestamp), timestamp)), source())).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
      });
    },
  );

  it.each([
    ['older than the 300 s tolerance', -301, 'old'],
    ['further than 300 s in the future', 301, 'in the future'],
  ])('rejects a correctly signed delivery whose timestamp is %s', (_case, offsetSeconds, direction) => {
    const timestamp = String(RECEIVED_AT.getTime() / 1000 + offsetSeconds);

    expect(verifier.verify(delivery(BODY, headers(signed(BODY, timestamp), timestamp)), source())).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: `header ${TIMESTAMP_HEADER}: timestamp is 301 s ${direction}; tolerance is 300 s`,
      evidence: {
        signatureHeader: 'x-twilio-email-event-webhook-signature',
        timestampHeader: 'x-twilio-email-event-webhook-timestamp',
        timestampSkewSeconds: -offsetSeconds,
        toleranceSeconds: 300,
      },
    });
  });

  it('accepts a timestamp at the edge of the tolerance, and honours a configured tolerance', () => {
    const timestamp = String(RECEIVED_AT.getTime() / 1000 - 300);
    const request = delivery(BODY, headers(signed(BODY, timestamp), timestamp));

    expect(verifier.verify(request, source())).toEqual({ ok: true });
    expect(verifier.verify(request, source(KEYS.publicKey, { tolerance: '60s' }))).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it.each([
    ['missing', undefined],
    ['not base64 DER', 'not-a-key'],
    [
      'a key on another curve',
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    ],
    ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()],
  ])('rejects every delivery when the configured key is %s', (_case, publicKey) => {
    const misconfigured: VerifiableSource = {
      id: 'mail',
      provider: 'sendgrid',
      secrets: [],
      settings: publicKey === undefined ? {} : { publicKey },
    };

    expect(verifier.verify(delivery(BODY, headers(signed(BODY))), misconfigured)).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('never echoes the key or the signature in its detail', () => {
    const signature = signed(BODY, TIMESTAMP, keyPair().privateKey);
    const verdict = verifier.verify(delivery(BODY, headers(signature)), source());

    expect(verdict).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(JSON.stringify(verdict)).not.toContain(KEYS.publicKey.slice(30, 60));
    expect(JSON.stringify(verdict)).not.toContain(signature);
  });

  it('never throws and never accepts random headers and bodies', () => {
    for (let iteration = 0; iteration < 300; iteration++) {
      const raw = randomBytes(randomInt(0, 80));
      const signatures = [raw.toString('base64'), Buffer.from([0x30, raw.length, ...raw]).toString('base64'), raw.toString('latin1'), ''];
      const timestamps = [TIMESTAMP, raw.toString('latin1'), String(randomInt(2 ** 47)), '9'.repeat(40)];
      const keys = [
        KEYS.publicKey,
        raw.toString('base64'),
        `-----BEGIN PUBLIC KEY-----\n${raw.toString('base64')}\n-----END PUBLIC KEY-----`,
      ];
      const request = delivery(randomBytes(randomInt(0, 256)), {
        [SIGNATURE_HEADER]: signatures[iteration % signatures.length] ?? '',
        [TIMESTAMP_HEADER]: timestamps[iteration % timestamps.length] ?? '',
      });

      expect(verifier.verify(request, source(keys[iteration % keys.length])).ok).toBe(false);
    }
  });

  describe('split and defaults', () => {
    const eventType = compileExpression(verifier.defaults.eventType, UNHURRIED);
    const idempotencyKey = compileExpression(verifier.defaults.idempotencyKey, UNHURRIED);

    it('splits a delivery into its events, each typed by event and keyed by sg_event_id', async () => {
      const events = verifier.split(JSON.parse(BODY));

      expect(events).toHaveLength(2);
      expect(await Promise.all(events.map((event) => eventType.evaluate(context(event))))).toEqual(['processed', 'delivered']);
      expect(await Promise.all(events.map((event) => idempotencyKey.evaluate(context(event))))).toEqual([
        'cHJvY2Vzc2VkLTE',
        'ZGVsaXZlcmVkLTA',
      ]);
    });

    it('treats a payload that is not an array as one event', () => {
      const single = { event: 'bounce', sg_event_id: 'Ym91bmNl' };

      expect(verifier.split(single)).toEqual([single]);
      expect(verifier.split([])).toEqual([]);
    });
  });
});
