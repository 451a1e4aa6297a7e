import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerifiableSource, Verifier } from './verifier';
import { isPlainObject } from './form-payload';
import { matchesAny, sha256Digest } from './constant-time';

const SHARED_SECRET = 'sharedSecret';

/**
 * Cisco Meraki alerts (developer.cisco.com/meraki/webhooks, "Shared Secret"): no signature, the
 * secret configured on the dashboard's HTTP server travels inside the JSON body as `sharedSecret`.
 * `normalize` drops it so it is never stored.
 */
export class MerakiVerifier implements Verifier {
  readonly provider = 'meraki';
  readonly rawBodyCarriesSecret = true;
  readonly defaults = { eventType: 'payload.alertType', idempotencyKey: 'payload.alertId' };

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    let payload: unknown;
    try {
      payload = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return rejected('malformed_signature', 'the body is not JSON, so it carries no sharedSecret');
    }
    if (!isPlainObject(payload)) return rejected('malformed_signature', 'the body is not a JSON object, so it carries no sharedSecret');

    const secret = Object.hasOwn(payload, SHARED_SECRET) ? payload[SHARED_SECRET] : undefined;
    if (secret === undefined || secret === null || secret === '') return rejected('missing_signature', 'the body has no sharedSecret');
    if (typeof secret !== 'string') return rejected('malformed_signature', 'the body’s sharedSecret is not a string');

    // Digests on both sides: equal lengths, so the secrets' lengths do not leak.
    const expected = source.secrets.map((candidate) => sha256Digest(candidate));
    if (!matchesAny(expected, sha256Digest(secret)))
      return rejected('signature_mismatch', 'the body’s sharedSecret does not match any configured secret');
    return ACCEPTED;
  }

  normalize(payload: unknown): unknown {
    if (!isPlainObject(payload) || !Object.hasOwn(payload, SHARED_SECRET)) return payload;
    const { [SHARED_SECRET]: _secret, ...rest } = payload;
    return rest;
  }
}
