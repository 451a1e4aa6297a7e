import { BasicVerifier } from './basic.verifier';
import { DeliveryRequest, VerifiableSource } from './verifier';

const USER = 'hookflow';
const PASSWORD = 'correct horse: battery staple';
const BODY = '{"event":"ping"}';

const verifier = new BasicVerifier();

function source(secrets: string[] = [PASSWORD], settings: Record<string, unknown> = { username: USER }): VerifiableSource {
  return { id: 'partner', provider: 'basic', secrets, settings };
}

function delivery(headers: Record<string, string>): DeliveryRequest {
  return { rawBody: Buffer.from(BODY), headers, url: '/hooks/partner', receivedAt: new Date('2026-01-01T00:00:00Z') };
}

/** RFC 7617: "Basic " + base64(user-id ":" password), UTF-8. */
function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

describe('BasicVerifier', () => {
  it('accepts the configured user with the password', () => {
    expect(verifier.verify(delivery({ authorization: basic(USER, PASSWORD) }), source())).toEqual({ ok: true });
  });

  it('accepts any of the configured passwords (rotation)', () => {
    const rotating = source(['old-password', 'new-password']);

    expect(verifier.verify(delivery({ authorization: basic(USER, 'old-password') }), rotating)).toEqual({ ok: true });
    expect(verifier.verify(delivery({ authorization: basic(USER, 'new-password') }), rotating)).toEqual({ ok: true });
  });

  it('accepts a lower-case scheme, extra spaces, left-out padding and a UTF-8 password', () => {
    const unicode = source(['pässwörd🔑']);
    const unpadded = basic(USER, 'pässwörd🔑').replace(/=+$/, '');

    expect(verifier.verify(delivery({ authorization: basic(USER, 'pässwörd🔑').replace('Basic ', '  basic   ') }), unicode)).toEqual({
      ok: true,
    });
    expect(unpadded).not.toMatch(/=$/);
    expect(verifier.verify(delivery({ authorization: unpadded }), unicode)).toEqual({ ok: true });
  });

  it('keeps every colon after the first in the password', () => {
    expect(verifier.verify(delivery({ authorization: basic(USER, 'a:b:c') }), source(['a:b:c']))).toEqual({ ok: true });
  });

  it.each([
    ['absent', {}],
    ['empty', { authorization: '' }],
    ['blank', { authorization: '  ' }],
  ])('rejects a delivery whose authorization header is %s as missing', (_case, headers: Record<string, string>) => {
    expect(verifier.verify(delivery(headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'header authorization is missing',
      evidence: { signatureHeader: 'authorization' },
    });
  });

  it.each([
    ['another scheme', `Bearer ${PASSWORD}`],
    ['the scheme alone', 'Basic'],
    ['credentials not base64', 'Basic hookflow:password'],
    [
      'a stray space inside',
      `Basic ${Buffer.from(`${USER}:${PASSWORD}`)
        .toString('base64')
        .replace(/^(.{4})/, '$1 ')}`,
    ],
    ['an impossible base64 length', 'Basic aGVsbG8gd'],
    ['no colon', `Basic ${Buffer.from(`${USER}-battery-staple`).toString('base64')}`],
  ])('rejects credentials with %s as malformed', (_case, authorization) => {
    expect(verifier.verify(delivery({ authorization }), source())).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it.each([
    ['wrong password', basic(USER, 'guess')],
    ['wrong user', basic('admin', PASSWORD)],
    ['user in another case', basic(USER.toUpperCase(), PASSWORD)],
    ['empty user and password', basic('', '')],
    ['password as user', basic(PASSWORD, USER)],
  ])('rejects a %s as a mismatch without echoing anything', (_case, authorization) => {
    const verdict = verifier.verify(delivery({ authorization }), source());

    expect(verdict).toEqual({
      ok: false,
      reason: 'signature_mismatch',
      detail: 'header authorization: the user name or password does not match',
      evidence: { signatureHeader: 'authorization' },
    });
    expect(JSON.stringify(verdict)).not.toContain(PASSWORD);
  });

  it('accepts nobody when the source sets no username', () => {
    expect(verifier.verify(delivery({ authorization: basic('', PASSWORD) }), source([PASSWORD], {}))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });
});
