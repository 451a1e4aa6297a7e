import { createHmac } from 'node:crypto';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { matchesAny } from './constant-time';
import { unwrapFormPayload } from './form-payload';

const SIGNATURE_HEADER = 'x-hub-signature-256';
const LEGACY_SHA1_HEADER = 'x-hub-signature';
const EVIDENCE: VerdictEvidence = Object.freeze({ signatureHeader: SIGNATURE_HEADER });
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * GitHub webhooks: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. The SHA-1
 * `X-Hub-Signature` GitHub still sends alongside is not accepted.
 */
export class GithubVerifier implements Verifier {
  readonly provider = 'github';

  /** `pull_request.opened` from `X-GitHub-Event` plus a string `action`; `push`, `ping` as they are. */
  readonly defaults = {
    eventType:
      '$exists(event.headers."x-github-event") ? event.headers."x-github-event" & ($type(payload.action) = "string" ? "." & payload.action : "")',
    idempotencyKey: 'event.headers."x-github-delivery"',
  };

  /** Webhooks created with content type `application/x-www-form-urlencoded` carry the JSON in `payload`. */
  normalize(payload: unknown): unknown {
    return unwrapFormPayload(payload);
  }

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const header = request.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || header.trim() === '') {
      const legacy = typeof request.headers[LEGACY_SHA1_HEADER] === 'string' ? ' (the SHA-1 x-hub-signature is not accepted)' : '';
      return rejected('missing_signature', `header ${SIGNATURE_HEADER} is missing${legacy}`, EVIDENCE);
    }
    const hex = SIGNATURE.exec(header.trim())?.[1];
    if (hex === undefined)
      return rejected('malformed_signature', `header ${SIGNATURE_HEADER} is not sha256= followed by a hex HMAC-SHA256`, EVIDENCE);
    const received = Buffer.from(hex, 'hex');
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
