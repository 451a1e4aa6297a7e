import { Webhook } from 'standardwebhooks';
import { InvalidSigningSecret, signingKey, standardWebhooksHeaders } from './standard-webhooks.signer';

const SECRET = `whsec_${Buffer.from('outbound-signing-secret-0123456789').toString('base64')}`;
const ID = 'run_1:post';
const BODY = JSON.stringify({ order: 'ord_1', note: 'caf\u00e9 \ud83d\ude80' });

describe('standardWebhooksHeaders', () => {
  it('produces headers the official standardwebhooks library verifies', () => {
    const headers = standardWebhooksHeaders(SECRET, ID, BODY, new Date());

    expect(headers['webhook-id']).toBe(ID);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(() => new Webhook(SECRET).verify(BODY, headers)).not.toThrow();
  });

  it('is refused by the library when the body changed', () => {
    const headers = standardWebhooksHeaders(SECRET, ID, BODY, new Date());

    expect(() => new Webhook(SECRET).verify(`${BODY} `, headers)).toThrow();
  });

  it('signs an empty body and accepts a secret without the whsec_ prefix', () => {
    const headers = standardWebhooksHeaders(SECRET.slice('whsec_'.length), ID, '', new Date());

    expect(() => new Webhook(SECRET).verify('', headers)).not.toThrow();
  });

  it('uses unix seconds of the given clock', () => {
    const headers = standardWebhooksHeaders(SECRET, ID, BODY, new Date('2026-01-01T12:00:00.900Z'));

    expect(headers['webhook-timestamp']).toBe(String(Date.parse('2026-01-01T12:00:00Z') / 1000));
  });
});

describe('signingKey', () => {
  it.each([
    ['not base64', 'whsec_not base64!'],
    ['empty', 'whsec_'],
    ['non-canonical', 'whsec_abc=d'],
  ])('refuses a secret that is %s', (_case, secret) => {
    expect(() => signingKey(secret)).toThrow(InvalidSigningSecret);
  });
});
