import { createHash } from 'node:crypto';

/** How a secret is named in views and URLs: the first 12 hex digits of its SHA-256, never the secret. */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 12);
}
