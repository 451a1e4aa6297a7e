import { compileExpression } from '@hookflow/rules';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import twilio from 'twilio';
import { TwilioVerifier } from './twilio.verifier';
import { DeliveryRequest, VerifiableSource } from './verifier';

const AUTH_TOKEN = '12345678901234567890123456789012';
const HOOK_URL = 'https://hooks.example.com/hooks/sms?source=twilio';
const FORM: [string, string][] = [
  ['MessageSid', 'SM1234567890abcdef1234567890abcdef'],
  ['AccountSid', 'AC1234567890abcdef1234567890abcdef'],
  ['From', '+14158675309'],
  ['To', '+14155552671'],
  ['Body', 'Hello world & more = things'],
  ['SmsStatus', 'received'],
];
const JSON_BODY = '{"EventType":"onMessageAdded","Body":"Hi there","Index":4}';

const verifier = new TwilioVerifier();

function source(secrets: string[] = [AUTH_TOKEN], settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'sms', provider: 'twilio', secrets, settings };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>, url = HOOK_URL): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    url,
    receivedAt: new Date('2026-01-01T00:00:00Z'),
  };
}

function formBody(pairs: [string, string][]): string {
  return new URLSearchParams(pairs).toString();
}

/** The parameters as Express's urlencoded parser hands them to the Twilio SDK: repeated names become arrays. */
function sdkParams(pairs: [string, string][]): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const existing = params[name];
    params[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return params;
}

/** Signed by the `twilio` package, Twilio's own helper library. */
function signedForm(pairs: [string, string][], url = HOOK_URL, authToken = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(authToken, url, sdkParams(pairs));
}

function jsonUrl(body: string, url = HOOK_URL): string {
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(body, 'utf8').digest('hex')}`;
}

function signedJson(url: string, authToken = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(authToken, url, {});
}

function jsonDelivery(body: Buffer | string, signature: string, url: string): DeliveryRequest {
  return delivery(body, { 'content-type': 'application/json', 'x-twilio-signature': signature }, url);
}

function context(headers: Record<string, string>, payload: unknown) {
  return { event: { source: 'sms', receivedAt: '2026-01-01T00:00:00.000Z', headers }, payload };
}

describe('TwilioVerifier', () => {
  it('is registered as the twilio provider', () => {
    expect(verifier.provider).toBe('twilio');
  });

  describe('form-encoded deliveries', () => {
    it('accepts a delivery signed by the Twilio SDK over the URL and sorted parameters', () => {
      const signature = signedForm(FORM);

      expect(twilio.validateRequest(AUTH_TOKEN, signature, HOOK_URL, sdkParams(FORM))).toBe(true);
      expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signature }), source())).toEqual({ ok: true });
    });

    it('accepts the same parameters in another order or with other percent-encoding', () => {
      const signature = signedForm(FORM);
      const reordered = formBody([...FORM].reverse());
      const plusAsPercent = formBody(FORM).replace(/\+/g, '%20');

      expect(verifier.verify(delivery(reordered, { 'x-twilio-signature': signature }), source())).toEqual({ ok: true });
      expect(verifier.verify(delivery(plusAsPercent, { 'x-twilio-signature': signature }), source())).toEqual({ ok: true });
    });

    it('signs every value of a repeated parameter, as the SDK does', () => {
      const pairs: [string, string][] = [
        ...FORM,
        ['MediaUrl0', 'https://api.twilio.com/b.jpg'],
        ['MediaUrl0', 'https://api.twilio.com/a.jpg'],
      ];
      const signature = signedForm(pairs);

      expect(twilio.validateRequest(AUTH_TOKEN, signature, HOOK_URL, sdkParams(pairs))).toBe(true);
      expect(verifier.verify(delivery(formBody(pairs), { 'x-twilio-signature': signature }), source())).toEqual({ ok: true });
      expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signature }), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('accepts a signature over the URL with the default port when the request URL has none, and the reverse', () => {
      const withPort = 'https://hooks.example.com:443/hooks/sms?source=twilio';

      expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signedForm(FORM, withPort) }), source())).toEqual({
        ok: true,
      });
      expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signedForm(FORM) }, withPort), source())).toEqual({
        ok: true,
      });
    });

    it('accepts a signature over the URL as normalised by new URL(), like the SDK', () => {
      const received = "https://hooks.example.com/hooks/sms?name=O'Brien";
      const normalised = new URL(received).toString();
      const signature = signedForm(FORM, normalised);

      expect(normalised).not.toBe(received);
      expect(twilio.validateRequest(AUTH_TOKEN, signature, received, sdkParams(FORM))).toBe(true);
      expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signature }, received), source())).toEqual({ ok: true });
    });

    it('rejects a form with one byte of a value changed', () => {
      const signature = signedForm(FORM);
      const tampered = formBody(FORM).replace('8675309', '8675308');

      expect(verifier.verify(delivery(tampered, { 'x-twilio-signature': signature }), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('rejects a form with a parameter added', () => {
      const signature = signedForm(FORM);

      expect(verifier.verify(delivery(`${formBody(FORM)}&Extra=1`, { 'x-twilio-signature': signature }), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('rejects a delivery posted to another URL than the one signed', () => {
      const signature = signedForm(FORM);

      expect(
        verifier.verify(
          delivery(formBody(FORM), { 'x-twilio-signature': signature }, 'https://hooks.example.com/hooks/other?source=twilio'),
          source(),
        ),
      ).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('verifies unicode and escaped characters byte for byte', () => {
      const pairs: [string, string][] = [
        ['Body', 'Zoë 🚀 naïve — “quoted” \\u00eb %41 +plus&amp'],
        ['From', '+447700900123'],
      ];
      const signature = signedForm(pairs);
      const decomposed: [string, string][] = [
        ['Body', 'Zoe\u0308 🚀 naïve — “quoted” \\u00eb %41 +plus&amp'],
        ['From', '+447700900123'],
      ];

      expect(verifier.verify(delivery(formBody(pairs), { 'x-twilio-signature': signature }), source())).toEqual({ ok: true });
      expect(verifier.verify(delivery(formBody(decomposed), { 'x-twilio-signature': signature }), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });
  });

  describe('JSON deliveries (bodySHA256)', () => {
    it('accepts a JSON delivery whose URL signature and body hash match, agreeing with validateRequestWithBody', () => {
      const url = jsonUrl(JSON_BODY);
      const signature = signedJson(url);

      expect(twilio.validateRequestWithBody(AUTH_TOKEN, signature, url, JSON_BODY)).toBe(true);
      expect(verifier.verify(jsonDelivery(JSON_BODY, signature, url), source())).toEqual({ ok: true });
    });

    it('rejects a JSON body with one byte changed, as the SDK does', () => {
      const url = jsonUrl(JSON_BODY);
      const signature = signedJson(url);
      const tampered = JSON_BODY.replace('4', '5');

      expect(twilio.validateRequestWithBody(AUTH_TOKEN, signature, url, tampered)).toBe(false);
      expect(verifier.verify(jsonDelivery(tampered, signature, url), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
        detail: expect.stringContaining('bodySHA256') as unknown,
      });
    });

    it('rejects the same JSON re-serialised with other whitespace', () => {
      const url = jsonUrl(JSON_BODY);
      const signature = signedJson(url);
      const reserialised = JSON.stringify(JSON.parse(JSON_BODY), null, 2);

      expect(JSON.parse(reserialised)).toEqual(JSON.parse(JSON_BODY));
      expect(twilio.validateRequestWithBody(AUTH_TOKEN, signature, url, reserialised)).toBe(false);
      expect(verifier.verify(jsonDelivery(reserialised, signature, url), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('rejects a URL whose bodySHA256 was swapped for the hash of another body', () => {
      const url = jsonUrl(JSON_BODY);
      const signature = signedJson(url);
      const forged = '{"EventType":"onMessageRemoved"}';

      expect(verifier.verify(jsonDelivery(forged, signature, jsonUrl(forged)), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('rejects a signed bodySHA256 that is not a hex SHA-256 as malformed', () => {
      const url = `${HOOK_URL}&bodySHA256=not-a-hash`;

      expect(verifier.verify(jsonDelivery(JSON_BODY, signedJson(url), url), source())).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
      });
    });

    it('verifies unicode and escaped JSON byte for byte', () => {
      const literal = '{"Body":"Zoë 🚀","Note":"naïve"}';
      const escaped = '{"Body":"Zo\\u00eb \\ud83d\\ude80","Note":"na\\u00efve"}';
      const literalUrl = jsonUrl(literal);
      const escapedUrl = jsonUrl(escaped);

      expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
      expect(verifier.verify(jsonDelivery(literal, signedJson(literalUrl), literalUrl), source())).toEqual({ ok: true });
      expect(verifier.verify(jsonDelivery(escaped, signedJson(escapedUrl), escapedUrl), source())).toEqual({ ok: true });
      expect(verifier.verify(jsonDelivery(escaped, signedJson(literalUrl), literalUrl), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });
  });

  describe('publicUrl setting', () => {
    const publicUrl = 'https://public.example.org/twilio/inbound';
    const internalUrl = 'http://ingest.internal:3000/hooks/sms';

    it('verifies against the configured public URL instead of the request URL', () => {
      const signature = signedForm(FORM, publicUrl);
      const configured = source([AUTH_TOKEN], { publicUrl });

      expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signature }, internalUrl), configured)).toEqual({ ok: true });
      expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signature }, internalUrl), source())).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it("keeps the request's query string, which carries bodySHA256, when the public URL has none", () => {
      const signedUrl = jsonUrl(JSON_BODY, publicUrl);
      const received = `${internalUrl}${signedUrl.slice(signedUrl.indexOf('?'))}`;

      expect(verifier.verify(jsonDelivery(JSON_BODY, signedJson(signedUrl), received), source([AUTH_TOKEN], { publicUrl }))).toEqual({
        ok: true,
      });
    });
  });

  it('accepts a delivery signed with the second of two auth tokens (rotation)', () => {
    const signature = signedForm(FORM, HOOK_URL, 'new-auth-token');

    expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signature }), source([AUTH_TOKEN, 'new-auth-token']))).toEqual({
      ok: true,
    });
  });

  it('rejects a delivery signed with another auth token', () => {
    const signature = signedForm(FORM, HOOK_URL, 'someone-elses-token');

    expect(verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('has no replay window: Twilio signs no timestamp, so the clock does not matter', () => {
    const signature = signedForm(FORM);
    const later = { ...delivery(formBody(FORM), { 'x-twilio-signature': signature }), receivedAt: new Date('2030-06-01T00:00:00Z') };

    expect(verifier.verify(later, source())).toEqual({ ok: true });
  });

  it.each([
    ['absent', {}],
    ['empty', { 'x-twilio-signature': '' }],
    ['blank', { 'x-twilio-signature': '  ' }],
  ])('rejects a delivery whose X-Twilio-Signature is %s as missing', (_case, headers: Record<string, string>) => {
    expect(verifier.verify(delivery(formBody(FORM), headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'header x-twilio-signature is missing',
      evidence: { signatureHeader: 'x-twilio-signature' },
    });
  });

  it('rejects truncated or garbled signatures as malformed', () => {
    const signature = signedForm(FORM);
    const garbled = [
      signature.slice(0, -1),
      signature.slice(0, -2),
      `${signature}A`,
      `${signature.slice(0, -2)}!=`,
      Buffer.from(signature, 'base64').toString('hex'),
      createHash('sha256').update('x').digest('base64'),
      'not a signature',
    ];

    for (const header of garbled) {
      expect([header, verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': header }), source())]).toEqual([
        header,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
  });

  it('never echoes the auth token or the expected signature in its detail', () => {
    const expected = signedForm(FORM);
    const verdict = verifier.verify(delivery(formBody(FORM), { 'x-twilio-signature': `${'A'.repeat(27)}=` }), source());

    expect(verdict).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(JSON.stringify(verdict)).not.toContain(AUTH_TOKEN);
    expect(JSON.stringify(verdict)).not.toContain(expected);
  });

  it('agrees with the SDK on random form deliveries, valid and tampered', () => {
    for (let iteration = 0; iteration < 100; iteration++) {
      const pairs: [string, string][] = Array.from({ length: randomInt(0, 6) }, () => [
        randomBytes(randomInt(1, 6)).toString('base64url'),
        randomBytes(randomInt(0, 12)).toString('latin1'),
      ]);
      const body = formBody(pairs);
      const signature = signedForm(pairs);
      const tampered = `${body}${body ? '&' : ''}x=${iteration}`;
      const parsedTampered = [...new URLSearchParams(tampered)];

      expect(verifier.verify(delivery(body, { 'x-twilio-signature': signature }), source()).ok).toBe(
        twilio.validateRequest(AUTH_TOKEN, signature, HOOK_URL, sdkParams([...new URLSearchParams(body)])),
      );
      expect(verifier.verify(delivery(tampered, { 'x-twilio-signature': signature }), source()).ok).toBe(
        twilio.validateRequest(AUTH_TOKEN, signature, HOOK_URL, sdkParams(parsedTampered)),
      );
    }
  });

  it('never throws and never accepts random headers, bodies and URLs', () => {
    for (let iteration = 0; iteration < 500; iteration++) {
      const raw = randomBytes(randomInt(0, 40));
      const candidates = [raw.toString('base64'), `${raw.toString('base64').slice(0, 27)}=`, raw.toString('latin1'), raw.toString('hex')];
      const urls = [HOOK_URL, raw.toString('latin1'), `${HOOK_URL}&bodySHA256=${raw.toString('hex')}`, 'https://[::1', ''];
      const request = delivery(
        randomBytes(randomInt(0, 256)),
        { 'x-twilio-signature': candidates[iteration % candidates.length] ?? '' },
        urls[iteration % urls.length],
      );

      expect(
        verifier.verify(request, source([AUTH_TOKEN, 'second'], { publicUrl: iteration % 7 === 0 ? raw.toString('latin1') : undefined }))
          .ok,
      ).toBe(false);
    }
  });

  describe('defaults', () => {
    const eventType = compileExpression(verifier.defaults.eventType);
    const idempotencyKey = compileExpression(verifier.defaults.idempotencyKey);

    it.each([
      [{ EventType: 'onMessageAdded', SmsStatus: 'received' }, 'onMessageAdded'],
      [{ SmsStatus: 'received', MessageSid: 'SM1' }, 'message.received'],
      [{ MessageStatus: 'delivered' }, 'message.delivered'],
      [{ CallStatus: 'ringing', CallSid: 'CA1' }, 'call.ringing'],
      [{ type: 'com.twilio.messaging.message.delivered' }, 'com.twilio.messaging.message.delivered'],
      [{ Body: 'no status here' }, undefined],
    ])('derives the event type of %j as %s', async (payload, expected) => {
      expect(await eventType.evaluate(context({}, payload))).toBe(expected);
    });

    it('keys deliveries by the I-Twilio-Idempotency-Token header', async () => {
      const headers = { 'i-twilio-idempotency-token': 'b8e0f6e4-0d8f-4ad4-9a8a-6f2d3c1e7a11' };

      expect(await idempotencyKey.evaluate(context(headers, {}))).toBe('b8e0f6e4-0d8f-4ad4-9a8a-6f2d3c1e7a11');
      expect(await idempotencyKey.evaluate(context({}, {}))).toBeUndefined();
    });
  });
});
