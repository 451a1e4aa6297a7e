import fc from 'fast-check';
import { MerakiVerifier } from './meraki.verifier';
import { DeliveryRequest, VerifiableSource } from './verifier';

const SECRET = 'asdf1234';

/**
 * The sample alert of Cisco's "Meraki Webhooks" guide (developer.cisco.com/meraki/webhooks,
 * "Common JSON Parameters" and "Security — Shared Secret"): the shared secret configured on the
 * dashboard's HTTP server is sent in the body as `sharedSecret`; there is no signature header.
 */
const ALERT = {
  version: '0.1',
  sharedSecret: SECRET,
  sentAt: '2018-10-25T17:17:46.608245Z',
  organizationId: '123456',
  organizationName: 'Organization',
  organizationUrl: 'https://n1.meraki.com/o/.../organization/overview',
  networkId: 'L_123456789123456789',
  networkName: 'Network - 1',
  networkUrl: 'https://n1.meraki.com/...',
  alertId: '643451796765320956',
  alertType: 'Network usage alert',
  occurredAt: '2018-10-25T17:17:38.623000Z',
  alertData: { kbTotal: 10750, period: 1200, usageThreshold: 10240 },
};

const verifier = new MerakiVerifier();

function source(secrets: string[] = [SECRET]): VerifiableSource {
  return { id: 'meraki', provider: 'meraki', secrets, settings: {} };
}

function delivery(body: unknown): DeliveryRequest {
  return {
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8'),
    headers: { 'content-type': 'application/json' },
    url: '/hooks/meraki',
    receivedAt: new Date('2026-01-01T00:00:00Z'),
  };
}

describe('MerakiVerifier', () => {
  it('accepts an alert carrying the shared secret', () => {
    expect(verifier.verify(delivery(ALERT), source())).toEqual({ ok: true });
  });

  it('accepts any of the configured secrets (rotation)', () => {
    expect(verifier.verify(delivery({ ...ALERT, sharedSecret: 'next' }), source([SECRET, 'next']))).toEqual({ ok: true });
  });

  it('rejects another secret, or the secret in another case, as a mismatch without echoing it', () => {
    for (const sharedSecret of ['asdf12345', 'ASDF1234', 'asdf123', ' asdf1234']) {
      const verdict = verifier.verify(delivery({ ...ALERT, sharedSecret }), source());

      expect(verdict).toEqual({
        ok: false,
        reason: 'signature_mismatch',
        detail: 'the body’s sharedSecret does not match any configured secret',
      });
    }
    expect(JSON.stringify(verifier.verify(delivery({ ...ALERT, sharedSecret: 'leak-me' }), source()))).not.toContain('leak-me');
  });

  it.each([
    ['absent', (({ sharedSecret: _secret, ...rest }) => rest)(ALERT)],
    ['empty', { ...ALERT, sharedSecret: '' }],
    ['null', { ...ALERT, sharedSecret: null }],
    ['only nested deeper', { ...(({ sharedSecret: _secret, ...rest }) => rest)(ALERT), alertData: { sharedSecret: SECRET } }],
  ])('rejects an alert whose sharedSecret is %s as missing', (_case, body) => {
    expect(verifier.verify(delivery(body), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'the body has no sharedSecret',
    });
  });

  it.each([
    ['not JSON', 'sharedSecret=asdf1234'],
    ['truncated JSON', JSON.stringify(ALERT).slice(0, -1)],
    ['a JSON array', JSON.stringify([ALERT])],
    ['a JSON string', JSON.stringify(SECRET)],
    ['JSON null', 'null'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
  ])('rejects a body that is %s as malformed', (_case, body) => {
    expect(verifier.verify(delivery(body), source())).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it('rejects a sharedSecret that is not a string as malformed', () => {
    expect(verifier.verify(delivery({ ...ALERT, sharedSecret: 1234 }), source(['1234']))).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(verifier.verify(delivery({ ...ALERT, sharedSecret: [SECRET] }), source())).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('stores the payload without its shared secret, leaving the original untouched', () => {
    const payload = structuredClone(ALERT);
    const normalized = verifier.normalize(payload);

    expect(normalized).not.toHaveProperty('sharedSecret');
    expect(normalized).toEqual((({ sharedSecret: _secret, ...rest }) => rest)(ALERT));
    expect(payload).toEqual(ALERT);
    expect(verifier.rawBodyCarriesSecret).toBe(true);
  });

  it('passes payloads without a shared secret through unchanged', () => {
    for (const payload of [null, 'text', 42, [ALERT], { alertId: '1' }]) {
      expect(verifier.normalize(payload)).toBe(payload);
    }
  });

  it('never leaves a sharedSecret at the top of any normalised object', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, sharedSecret) => {
        const payload = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, sharedSecret } : value;
        const normalized = verifier.normalize(payload);

        if (typeof normalized === 'object' && normalized !== null) expect(Object.hasOwn(normalized, 'sharedSecret')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('takes the event type and idempotency key from alertType and alertId by default', () => {
    expect(verifier.defaults).toEqual({ eventType: 'payload.alertType', idempotencyKey: 'payload.alertId' });
  });
});
