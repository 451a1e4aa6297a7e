import { BearerVerifier } from './bearer.verifier';
import { DeliveryRequest, VerifiableSource } from './verifier';

const TOKEN = 'hf_tok_3c1d0c6b5f9e4a2b8d7e';
const BODY = '{"event":"ping"}';

const verifier = new BearerVerifier();

function source(secrets: string[] = [TOKEN], settings: Record<string, unknown> = {}): VerifiableSource {
  return { id: 'partner', provider: 'bearer', secrets, settings };
}

function delivery(headers: Record<string, string>, url = '/hooks/partner'): DeliveryRequest {
  return { rawBody: Buffer.from(BODY), headers, url, receivedAt: new Date('2026-01-01T00:00:00Z') };
}

describe('BearerVerifier', () => {
  describe('in the Authorization header', () => {
    it('accepts the token with the Bearer scheme, in any case', () => {
      expect(verifier.verify(delivery({ authorization: `Bearer ${TOKEN}` }), source())).toEqual({ ok: true });
      expect(verifier.verify(delivery({ authorization: ` bearer  ${TOKEN} ` }), source())).toEqual({ ok: true });
    });

    it('accepts any of the configured tokens (rotation)', () => {
      const rotating = source(['old-token', TOKEN]);

      expect(verifier.verify(delivery({ authorization: 'Bearer old-token' }), rotating)).toEqual({ ok: true });
      expect(verifier.verify(delivery({ authorization: `Bearer ${TOKEN}` }), rotating)).toEqual({ ok: true });
    });

    it('rejects a missing header as missing', () => {
      expect(verifier.verify(delivery({}), source())).toEqual({
        ok: false,
        reason: 'missing_signature',
        detail: 'header authorization is missing',
        evidence: { signatureHeader: 'authorization' },
      });
    });

    it.each([
      ['the bare token', TOKEN],
      ['another scheme', `Basic ${TOKEN}`],
      ['the scheme alone', 'Bearer'],
      ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ])('rejects %s as malformed', (_case, authorization) => {
      expect(verifier.verify(delivery({ authorization }), source())).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });

    it.each([
      ['another token', 'Bearer not-the-token'],
      ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
      ['the token with more after it', `Bearer ${TOKEN}x`],
      ['the token in another case', `Bearer ${TOKEN.toUpperCase()}`],
    ])('rejects %s as a mismatch without echoing it', (_case, authorization) => {
      const verdict = verifier.verify(delivery({ authorization }), source());

      expect(verdict).toEqual({
        ok: false,
        reason: 'signature_mismatch',
        detail: 'the bearer token does not match any configured token',
        evidence: { signatureHeader: 'authorization' },
      });
      expect(JSON.stringify(verdict)).not.toContain(TOKEN.slice(4));
    });
  });

  describe('in a configured header', () => {
    const custom = source([TOKEN], { header: 'X-Api-Token' });

    it('takes the whole value as the token, a Bearer prefix tolerated', () => {
      expect(verifier.verify(delivery({ 'x-api-token': TOKEN }), custom)).toEqual({ ok: true });
      expect(verifier.verify(delivery({ 'x-api-token': `Bearer ${TOKEN}` }), custom)).toEqual({ ok: true });
    });

    it('no longer reads the Authorization header', () => {
      expect(verifier.verify(delivery({ authorization: `Bearer ${TOKEN}` }), custom)).toEqual({
        ok: false,
        reason: 'missing_signature',
        detail: 'header x-api-token is missing',
        evidence: { signatureHeader: 'x-api-token' },
      });
    });

    it('rejects another token as a mismatch', () => {
      expect(verifier.verify(delivery({ 'x-api-token': 'nope' }), custom)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('reads nothing from header names that exist only on the object prototype', () => {
      for (const header of ['constructor', '__proto__', 'toString']) {
        expect(verifier.verify(delivery({}), source([TOKEN], { header }))).toMatchObject({ ok: false, reason: 'missing_signature' });
      }
    });
  });

  describe('in a configured query parameter', () => {
    const query = source([TOKEN], { queryParameter: 'token' });

    it('accepts the token in the query of a path or of a full URL, URL-encoded or not', () => {
      expect(verifier.verify(delivery({}, `/hooks/partner?token=${TOKEN}`), query)).toEqual({ ok: true });
      expect(verifier.verify(delivery({}, `https://hooks.example.com/hooks/partner?a=1&token=${TOKEN}`), query)).toEqual({ ok: true });
      expect(
        verifier.verify(delivery({}, `/hooks/partner?token=${encodeURIComponent('a b+c/d=')}`), source(['a b+c/d='], query.settings)),
      ).toEqual({
        ok: true,
      });
    });

    it('still accepts the token in the Authorization header', () => {
      expect(verifier.verify(delivery({ authorization: `Bearer ${TOKEN}` }), query)).toEqual({ ok: true });
    });

    it('accepts the delivery when either place carries a valid token', () => {
      expect(verifier.verify(delivery({ authorization: 'Bearer stale' }, `/hooks/partner?token=${TOKEN}`), query)).toEqual({ ok: true });
      expect(verifier.verify(delivery({ authorization: 'Basic abc' }, `/hooks/partner?token=${TOKEN}`), query)).toEqual({ ok: true });
    });

    it('rejects a delivery with the token in neither place as missing', () => {
      expect(verifier.verify(delivery({}, '/hooks/partner?other=1'), query)).toEqual({
        ok: false,
        reason: 'missing_signature',
        detail: 'header authorization is missing; query parameter token is missing',
        evidence: { signatureHeader: 'authorization' },
      });
      expect(verifier.verify(delivery({}, '/hooks/partner?token='), query)).toMatchObject({ ok: false, reason: 'missing_signature' });
    });

    it('rejects a wrong token as a mismatch', () => {
      expect(verifier.verify(delivery({}, '/hooks/partner?token=guess'), query)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('ignores the query parameter when none is configured', () => {
      expect(verifier.verify(delivery({}, `/hooks/partner?token=${TOKEN}`), source())).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    });

    it('rejects an unparseable URL without throwing', () => {
      expect(verifier.verify(delivery({}, 'http://[::1'), query)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });
});
