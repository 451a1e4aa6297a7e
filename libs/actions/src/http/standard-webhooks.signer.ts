import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The `sign` option of an `http` step, templates rendered. */
export interface SignOptions {
  scheme: 'standard-webhooks';
  secret: string;
}

export class InvalidSigningSecret extends Error {}

/**
 * Standard Webhooks headers for one outbound request: `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "${id}.${timestamp}.${body}">`, keyed with the base64-decoded secret
 * (a `whsec_` prefix is dropped). Pure: the caller passes the clock.
 */
export function standardWebhooksHeaders(secret: string, id: string, body: string, now: Date): Record<string, string> {
  const key = signingKey(secret);
  const timestamp = Math.floor(now.getTime() / 1000).toString();
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/** The HMAC key of a secret; throws {@link InvalidSigningSecret} when it is not base64 or empty. */
export function signingKey(secret: string): Buffer {
  const text = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const canonical =
    BASE64.test(text) && text.length % 4 !== 1 && (!text.endsWith('=') || text.length % 4 === 0) ? Buffer.from(text, 'base64') : undefined;
  if (!canonical || canonical.length === 0 || canonical.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, ''))
    throw new InvalidSigningSecret('sign.secret is not a base64 secret (whsec_<base64>)');
  return canonical;
}
