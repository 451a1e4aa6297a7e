import { createHmac } from 'node:crypto';
import {
  ACCEPTED,
  DeliveryRequest,
  DeliveryVerdict,
  HandshakeAnswer,
  rejected,
  VerdictEvidence,
  VerifiableSource,
  Verifier,
} from './verifier';
import { matchesAny } from './constant-time';
import { timestampEvidence, timestampProblem, toleranceMs } from './source-settings';
import { isPlainObject, unwrapFormPayload } from './form-payload';

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';
const DEFAULT_TOLERANCE_MS = 300_000;
const SIGNATURE = /^v0=([0-9a-f]{64})$/i;
const UNIX_SECONDS = /^\d{1,15}$/;

/**
 * Slack (Events API, interactivity, slash commands): `X-Slack-Signature: v0=<hex>`, an
 * HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<raw body>` with the app's signing secret.
 * The signature is checked before the timestamp (a forged old request is a mismatch), and the
 * timestamp both ways.
 */
export class SlackVerifier implements Verifier {
  readonly provider = 'slack';

  /** Events API `event.type` (`app_mention`), else the envelope or interaction `type`, else a slash `command`. */
  readonly defaults = {
    eventType: '$exists(payload.event.type) ? payload.event.type : $exists(payload.type) ? payload.type : payload.command',
    idempotencyKey: 'payload.event_id',
  };

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const evidence: VerdictEvidence = { signatureHeader: SIGNATURE_HEADER, timestampHeader: TIMESTAMP_HEADER };
    const header = request.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || header.trim() === '')
      return rejected('missing_signature', `header ${SIGNATURE_HEADER} is missing`, evidence);
    const timestamp = request.headers[TIMESTAMP_HEADER];
    if (typeof timestamp !== 'string' || timestamp.trim() === '')
      return rejected('missing_signature', `header ${TIMESTAMP_HEADER} is missing`, evidence);

    const hex = SIGNATURE.exec(header.trim())?.[1];
    if (hex === undefined)
      return rejected('malformed_signature', `header ${SIGNATURE_HEADER} is not v0= followed by a hex HMAC-SHA256`, evidence);
    const seconds = timestamp.trim();
    if (!UNIX_SECONDS.test(seconds))
      return rejected('malformed_signature', `header ${TIMESTAMP_HEADER} is not a Unix timestamp in seconds`, evidence);

    const tolerance = toleranceMs(source, DEFAULT_TOLERANCE_MS);
    Object.assign(evidence, timestampEvidence(Number(seconds), request.receivedAt, tolerance));

    const signedPrefix = Buffer.from(`v0:${seconds}:`, 'utf8');
    const expected = source.secrets.map((secret) => createHmac('sha256', secret).update(signedPrefix).update(request.rawBody).digest());
    if (!matchesAny(expected, Buffer.from(hex, 'hex')))
      return rejected(
        'signature_mismatch',
        `header ${SIGNATURE_HEADER} does not match the request signed with any configured secret`,
        evidence,
      );

    const problem = timestampProblem(Number(seconds), request.receivedAt, tolerance);
    if (problem !== undefined) return rejected('timestamp_out_of_tolerance', `header ${TIMESTAMP_HEADER}: ${problem}`, evidence);
    return ACCEPTED;
  }

  /** Interactivity posts a form whose `payload` field is JSON: that JSON is the payload. */
  normalize(payload: unknown): unknown {
    return unwrapFormPayload(payload);
  }

  /** Answers the Events API `url_verification` challenge sent when the request URL is saved. */
  handshake(payload: unknown): HandshakeAnswer | undefined {
    if (!isPlainObject(payload) || payload.type !== 'url_verification' || typeof payload.challenge !== 'string') return undefined;
    return { status: 200, body: { challenge: payload.challenge } };
  }
}
