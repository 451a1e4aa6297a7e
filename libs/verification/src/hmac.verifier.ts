import { createHmac } from 'node:crypto';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerifiableSource, Verifier } from './verifier';
import { matchesAny } from './constant-time';

export const DEFAULT_HMAC_HEADER = 'x-webhook-signature';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Generic HMAC-SHA256 over the raw body, hex-encoded, in a configurable header
 * (default `X-Webhook-Signature`), with an optional `sha256=` prefix.
 */
export class HmacVerifier implements Verifier {
  readonly provider = 'hmac';

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const headerName = (typeof source.settings.header === 'string' ? source.settings.header : DEFAULT_HMAC_HEADER).toLowerCase();
    const header = request.headers[headerName];
    if (header === undefined || header.trim() === '') return rejected('missing_signature', `header ${headerName} is missing`);
    const hex = header.trim().replace(/^sha256=/i, '');
    if (!HEX_SHA256.test(hex))
      return rejected('malformed_signature', `header ${headerName} is not a hex HMAC-SHA256 (optionally prefixed sha256=)`);
    const received = Buffer.from(hex, 'hex');
    const expected = source.secrets.map((secret) => createHmac('sha256', secret).update(request.rawBody).digest());
    if (!matchesAny(expected, received))
      return rejected('signature_mismatch', `header ${headerName} does not match the body signed with any configured secret`);
    return ACCEPTED;
  }
}
