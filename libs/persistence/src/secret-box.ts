import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

/** A source secret as stored: its value, and when it stops being accepted (null: never). */
export interface StoredSecret {
  value: string;
  expiresAt: Date | null;
}

/**
 * Encrypts secrets at rest with AES-256-GCM under a key derived from the master key.
 * Stored form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. The plaintext is a JSON array of
 * `{ "value", "expiresAt" }` (ISO time or null); an array of plain strings (how secrets were first
 * stored) is still read, as secrets that never expire.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKey: string) {
    this.key = createHash('sha256').update(masterKey, 'utf8').digest();
  }

  seal(secrets: readonly StoredSecret[]): string {
    const plaintext = JSON.stringify(secrets.map(({ value, expiresAt }) => ({ value, expiresAt: expiresAt?.toISOString() ?? null })));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the stored value was sealed under another master key or was tampered with. */
  open(sealed: string): StoredSecret[] {
    const [format, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || !iv || !tag || ciphertext === undefined) throw new Error('unrecognised sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    const entries = JSON.parse(plaintext.toString('utf8')) as (string | { value: string; expiresAt: string | null })[];
    return entries.map((entry) =>
      typeof entry === 'string'
        ? { value: entry, expiresAt: null }
        : { value: entry.value, expiresAt: entry.expiresAt === null ? null : new Date(entry.expiresAt) },
    );
  }
}

/** The secrets still accepted at `at`: those without an expiry or expiring later. */
export function secretsValidAt(secrets: readonly StoredSecret[], at: Date): string[] {
  return secrets.filter((secret) => secret.expiresAt === null || secret.expiresAt.getTime() > at.getTime()).map((secret) => secret.value);
}
