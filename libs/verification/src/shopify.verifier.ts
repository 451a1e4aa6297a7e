import { createHmac } from 'node:crypto';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { matchesAny } from './constant-time';

const SIGNATURE_HEADER = 'x-shopify-hmac-sha256';
const EVIDENCE: VerdictEvidence = Object.freeze({ signatureHeader: SIGNATURE_HEADER });
/** 32 bytes in padded standard base64: 43 characters and one `=`. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** Shopify webhooks: `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the raw body with the app's client secret. */
export class ShopifyVerifier implements Verifier {
  readonly provider = 'shopify';

  readonly defaults = {
    eventType: 'event.headers."x-shopify-topic"',
    idempotencyKey: 'event.headers."x-shopify-webhook-id"',
  };

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const header = request.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || header.trim() === '')
      return rejected('missing_signature', `header ${SIGNATURE_HEADER} is missing`, EVIDENCE);
    const received = decodeStrictBase64(header.trim());
    if (received === undefined) return rejected('malformed_signature', `header ${SIGNATURE_HEADER} is not a base64 HMAC-SHA256`, EVIDENCE);
    const expected = source.secrets.map((secret) => createHmac('sha256', secret).update(request.rawBody).digest());
    if (!matchesAny(expected, received))
      return rejected(
        'signature_mismatch',
        `header ${SIGNATURE_HEADER} does not match the body signed with any configured secret`,
        EVIDENCE,
      );
    return ACCEPTED;
  }
}

/** Node's base64 decoder skips bad characters; accept only the canonical encoding of 32 bytes. */
function decodeStrictBase64(value: string): Buffer | undefined {
  if (!BASE64_SHA256.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === 32 && decoded.toString('base64') === value ? decoded : undefined;
}
