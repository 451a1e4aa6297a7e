import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { SecretBox, secretsValidAt } from './secret-box';

const MASTER_KEY = 'a-master-key-of-at-least-32-characters';

/** Seals a plaintext the way the first release did: a JSON array of strings. */
function sealLegacy(values: string[]): string {
  const key = createHash('sha256').update(MASTER_KEY, 'utf8').digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

describe('SecretBox', () => {
  const box = new SecretBox(MASTER_KEY);

  it('round-trips secrets with and without an expiry, and never stores them in clear', () => {
    const secrets = [
      { value: 'old-secret', expiresAt: new Date('2030-01-02T03:04:05.000Z') },
      { value: 'new-secret', expiresAt: null },
    ];
    const sealed = box.seal(secrets);

    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('secret');
    expect(box.open(sealed)).toEqual(secrets);
  });

  it('reads the first format, a sealed array of strings, as secrets that never expire', () => {
    expect(box.open(sealLegacy(['one', 'two']))).toEqual([
      { value: 'one', expiresAt: null },
      { value: 'two', expiresAt: null },
    ]);
  });

  it('refuses a value sealed under another master key', () => {
    expect(() => new SecretBox('another-master-key-of-32-characters!').open(box.seal([{ value: 's', expiresAt: null }]))).toThrow();
  });
});

describe('secretsValidAt', () => {
  it('keeps the secrets without an expiry and those expiring after the given time', () => {
    const secrets = [
      { value: 'expired', expiresAt: new Date('2030-01-01T00:00:00Z') },
      { value: 'expiring', expiresAt: new Date('2030-01-01T00:00:01Z') },
      { value: 'forever', expiresAt: null },
    ];

    expect(secretsValidAt(secrets, new Date('2030-01-01T00:00:00Z'))).toEqual(['expiring', 'forever']);
    expect(secretsValidAt(secrets, new Date('2030-01-01T00:00:01Z'))).toEqual(['forever']);
  });
});
