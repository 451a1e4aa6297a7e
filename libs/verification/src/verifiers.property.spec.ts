import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { supportedProviders, verifierFor } from './verifier-registry';
import { DeliveryRequest, VerifiableSource, Verifier } from './verifier';

/**
 * Property tests over every registered provider, including ones added later: whatever arrives
 * (headers, body, URL) and however the source is configured, `verify` never throws and never
 * accepts without the secret, and the payload hooks never throw.
 */
const NUM_RUNS = 300;
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const NOW_SECONDS = Math.floor(RECEIVED_AT.getTime() / 1000);
const SECRETS = ['It’s a Secret to Everybody', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'second-secret-for-rotation'];
const REASONS = ['missing_signature', 'malformed_signature', 'signature_mismatch', 'timestamp_out_of_tolerance'];

/** Every header name some provider reads, and a few that would be dangerous on a plain object. */
const HEADER_NAMES = [
  'x-webhook-signature',
  'x-signature',
  'x-meter-signature',
  'x-timestamp',
  'x-hub-signature',
  'x-hub-signature-256',
  'stripe-signature',
  'x-slack-signature',
  'x-slack-request-timestamp',
  'x-shopify-hmac-sha256',
  'x-twilio-signature',
  'x-twilio-email-event-webhook-signature',
  'x-twilio-email-event-webhook-timestamp',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'authorization',
  'x-api-token',
  'content-type',
];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

/** A real P-256 key, so that key-based schemes get as far as checking random signatures. */
const EC_PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
const EC_DER_BASE64 = EC_PUBLIC_KEY.export({ type: 'spki', format: 'der' }).toString('base64');
const EC_PEM = EC_PUBLIC_KEY.export({ type: 'spki', format: 'pem' }).toString();

const bytes = fc.uint8Array({ maxLength: 96 }).map((array) => Buffer.from(array));
const hex = bytes.map((buffer) => buffer.toString('hex'));
const base64 = bytes.map((buffer) => buffer.toString('base64'));
/** Random bytes of a digest's or signature's length, so that they pass the format checks. */
const bytesOf = (...lengths: number[]) =>
  fc
    .constantFrom(...lengths)
    .chain((length) => fc.uint8Array({ minLength: length, maxLength: length }))
    .map((array) => Buffer.from(array));
const hexDigest = bytesOf(20, 32, 64).map((buffer) => buffer.toString('hex'));
const base64Digest = bytesOf(20, 32, 64).map((buffer) => buffer.toString('base64'));
const hexOf = (length: number) => bytesOf(length).map((buffer) => buffer.toString('hex'));
const base64Of = (...lengths: number[]) => bytesOf(...lengths).map((buffer) => buffer.toString('base64'));
/** Mostly inside the usual 300 s tolerance, sometimes anywhere. */
const timestamp = fc
  .oneof({ arbitrary: fc.integer({ min: NOW_SECONDS - 400, max: NOW_SECONDS + 400 }), weight: 4 }, { arbitrary: fc.integer(), weight: 1 })
  .map(String);
const USERNAMES = ['hookflow', 'admin', ''];
const junk = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

const headerName = fc.oneof(
  { arbitrary: fc.constantFrom(...HEADER_NAMES), weight: 8 },
  { arbitrary: fc.string({ maxLength: 20 }).map((name) => name.toLowerCase()), weight: 1 },
  { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES), weight: 1 },
);

const basicCredentials = fc
  .tuple(fc.oneof(fc.constantFrom(...USERNAMES), fc.string()), fc.string())
  .map(([user, password]) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
const standardSignatures = fc
  .array(
    base64Of(32, 64).map((value) => `v1,${value}`),
    { minLength: 1, maxLength: 3 },
  )
  .map((list) => list.join(' '));
/** A DER `SEQUENCE { INTEGER r, INTEGER s }` of random integers: the shape of an ECDSA signature. */
const derSignature = fc
  .tuple(bytesOf(32, 33), bytesOf(31, 32, 33))
  .map(([r, s]) =>
    Buffer.concat([Buffer.from([0x30, r.length + s.length + 4, 0x02, r.length]), r, Buffer.from([0x02, s.length]), s]).toString('base64'),
  );
const messageId = fc.string({ minLength: 1 }).map((id) => `msg_${id}`);

/** Each header in the shape its provider uses, with random content: it gets past format checks to the comparison. */
const SHAPES: Record<string, fc.Arbitrary<string>> = {
  'x-webhook-signature': fc.oneof(
    hexDigest,
    base64Digest,
    hexOf(32).map((value) => `sha256=${value}`),
  ),
  'x-signature': fc.oneof(hexDigest, base64Digest),
  'x-meter-signature': fc.oneof(hexDigest, base64Digest),
  'x-timestamp': timestamp,
  'x-hub-signature': hexOf(20).map((value) => `sha1=${value}`),
  'x-hub-signature-256': hexOf(32).map((value) => `sha256=${value}`),
  'stripe-signature': fc.tuple(timestamp, hexOf(32), hexOf(32)).map(([t, v1, v0]) => `t=${t},v1=${v1},v0=${v0}`),
  'x-slack-signature': hexOf(32).map((value) => `v0=${value}`),
  'x-slack-request-timestamp': timestamp,
  'x-shopify-hmac-sha256': base64Of(32),
  'x-twilio-signature': base64Of(20, 32),
  'x-twilio-email-event-webhook-signature': fc.oneof(derSignature, base64Of(64, 70, 71, 72)),
  'x-twilio-email-event-webhook-timestamp': timestamp,
  'webhook-id': messageId,
  'webhook-timestamp': timestamp,
  'webhook-signature': standardSignatures,
  'svix-id': messageId,
  'svix-timestamp': timestamp,
  'svix-signature': standardSignatures,
  authorization: fc.oneof(
    basicCredentials,
    fc.string({ minLength: 1 }).map((token) => `Bearer ${token}`),
  ),
  'x-api-token': fc.string({ minLength: 1 }),
  'content-type': fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
};

const headerValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 64 }),
  hex,
  base64,
  timestamp,
  hexDigest,
  base64Digest,
  hex.map((value) => `sha256=${value}`),
  base64.map((value) => `v1a,${value}`),
  base64.map((value) => `Basic ${value}`),
  fc.constantFrom(
    '',
    ' ',
    'sha256=',
    'Bearer',
    'Basic',
    'Basic =',
    'v1,',
    't=,v1=',
    'application/json',
    'application/x-www-form-urlencoded',
  ),
);

/** Each provider's own headers present about half the time, plus random others. */
const headers = fc
  .tuple(
    fc.record(
      Object.fromEntries(HEADER_NAMES.map((name) => [name, fc.oneof({ arbitrary: SHAPES[name] ?? headerValue, weight: 3 }, headerValue)])),
      { requiredKeys: [] },
    ),
    fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
  )
  .map(([known, extra]) => ({ ...known, ...Object.fromEntries(extra) }) as Record<string, string>);

const jsonObject = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });

const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.tuple(jsonObject, fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 }))).map(([object, sharedSecret]) => ({ ...object, sharedSecret })),
  fc.tuple(fc.string(), fc.string()).map(([alertId, alertType]) => ({ alertId, alertType, sharedSecret: 'not-the-secret' })),
  fc.jsonValue({ maxDepth: 2 }).map((challenge) => ({ type: 'url_verification', token: 'x', challenge })),
  fc
    .oneof(
      fc.string(),
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    )
    .map((inner) => ({ payload: inner })),
  fc.array(jsonObject, { maxLength: 4 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 6 }),
);

const body = fc.oneof(
  bytes,
  fc.string({ unit: 'binary', maxLength: 128 }).map((text) => Buffer.from(text, 'utf8')),
  payload.map((value) => Buffer.from(JSON.stringify(value) ?? '', 'utf8')),
  fc
    .tuple(jsonObject, fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })))
    .map(([object, sharedSecret]) => Buffer.from(JSON.stringify({ ...object, sharedSecret }), 'utf8')),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 6 }).map((form) => Buffer.from(new URLSearchParams(form).toString(), 'utf8')),
);

const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string(),
  fc.string().map((query) => `/hooks/source?${query}`),
  fc
    .tuple(fc.constantFrom('token', 'key', 'access_token'), fc.string())
    .map(([name, value]) => `/hooks/source?${name}=${encodeURIComponent(value)}`),
  fc.constantFrom('/hooks/source', '', '?', '//', 'http://[::1', 'https://hooks.example.com/hooks/source?token=%E0%A4%A'),
);

const option = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary, weight: 4 }, { arbitrary: junk, weight: 1 });
const settings = fc.record(
  {
    header: option(
      fc.oneof(
        {
          arbitrary: fc.constantFrom('X-Webhook-Signature', 'X-Signature', 'X-Meter-Signature', 'Authorization', 'X-Api-Token'),
          weight: 3,
        },
        headerName,
        fc.string(),
      ),
    ),
    algorithm: option(fc.oneof(fc.constantFrom('sha1', 'sha256', 'sha512', 'md5', 'SHA256', ''), fc.string())),
    encoding: option(fc.oneof(fc.constantFrom('hex', 'base64', 'base32', ''), fc.string())),
    prefix: option(fc.oneof(fc.constantFrom('sha256=', 'v1=', 'v0=', ''), fc.string())),
    timestampHeader: option(fc.oneof({ arbitrary: fc.constantFrom('X-Timestamp', 'Webhook-Timestamp'), weight: 3 }, headerName)),
    signedContent: option(
      fc.oneof(fc.constantFrom('{body}', '{timestamp}.{body}', 'v0:{timestamp}:{body}', '{timestamp}', ''), fc.string()),
    ),
    tolerance: option(
      fc.oneof(
        fc.integer({ min: -1_000_000, max: 1_000_000_000 }),
        fc.double(),
        fc.constantFrom('300s', '0', '1ms', '5m', '1d', 'abc', '-5s', '9'.repeat(400)),
        fc.string(),
      ),
    ),
    username: option(fc.oneof(fc.constantFrom(...USERNAMES), fc.string())),
    queryParameter: option(fc.oneof(fc.constantFrom('token', 'key', 'access_token'), fc.string())),
    publicKey: option(
      fc.oneof(
        fc.constantFrom(EC_DER_BASE64, EC_PEM, ''),
        base64,
        fc.string(),
        base64.map((value) => `-----BEGIN PUBLIC KEY-----\n${value}\n-----END PUBLIC KEY-----`),
      ),
    ),
    publicUrl: option(fc.oneof(fc.webUrl(), fc.string())),
    allowIps: option(fc.array(fc.string(), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

const delivery = fc.record({ rawBody: body, headers, url, receivedAt: fc.constant(RECEIVED_AT) }) as fc.Arbitrary<DeliveryRequest>;

function registered(provider: string): Verifier {
  const verifier = verifierFor(provider);
  if (!verifier) throw new Error(`no verifier for ${provider}`);
  return verifier;
}

function sourceFor(provider: string, configured: Record<string, unknown>): VerifiableSource {
  return { id: 'property', provider, secrets: SECRETS, settings: configured };
}

const providers = supportedProviders();
const verifying = providers.filter((provider) => provider !== 'none');

describe('every verifier, on random deliveries', () => {
  it('covers the generic providers and every provider registered', () => {
    expect(providers).toEqual(expect.arrayContaining(['hmac', 'basic', 'bearer', 'meraki', 'none']));
  });

  it.each(verifying)('%s never throws, never accepts, and never echoes a secret or a whole signature', (provider) => {
    const verifier = registered(provider);

    fc.assert(
      fc.property(delivery, settings, (request, configured) => {
        const verdict = verifier.verify(request, sourceFor(provider, configured));

        expect(verdict.ok).toBe(false);
        if (verdict.ok) return;
        expect(REASONS).toContain(verdict.reason);
        expect(typeof verdict.detail).toBe('string');
        for (const secret of SECRETS) expect(verdict.detail).not.toContain(secret);
        for (const value of Object.values(request.headers)) {
          if (value.trim().length >= 20) expect(verdict.detail).not.toContain(value.trim());
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('none accepts every random delivery without throwing', () => {
    const verifier = registered('none');

    fc.assert(
      fc.property(delivery, settings, (request, configured) => {
        expect(verifier.verify(request, sourceFor('none', configured))).toEqual({ ok: true });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it.each(providers)('%s normalises, splits and answers handshakes on random payloads without throwing', (provider) => {
    const verifier = registered(provider);

    fc.assert(
      fc.property(payload, (value) => {
        const normalized = verifier.normalize ? verifier.normalize(value) : value;
        verifier.handshake?.(value);
        verifier.handshake?.(normalized);
        verifier.split?.(value);
        const events = verifier.split ? verifier.split(normalized) : [normalized];
        expect(Array.isArray(events)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
