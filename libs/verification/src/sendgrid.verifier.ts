import { createPublicKey, KeyObject, verify as verifySignature } from 'node:crypto';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { stringSetting, timestampEvidence, timestampProblem, toleranceMs } from './source-settings';

const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';
const DEFAULT_TOLERANCE_MS = 300_000;
const UNIX_SECONDS = /^\d{1,15}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Parsed verification keys by their configured text; bounded, oldest entry evicted first. */
const KEY_CACHE_SIZE = 64;
const keyCache = new Map<string, KeyObject | null>();

/**
 * SendGrid's signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64 DER) in
 * `X-Twilio-Email-Event-Webhook-Signature` over the `X-Twilio-Email-Event-Webhook-Timestamp` value
 * followed by the raw body bytes. The key is `settings.publicKey`, as the SendGrid console shows it
 * (base64 DER SubjectPublicKeyInfo) or as PEM; no secrets are used. The timestamp must be within the
 * tolerance (default 300 s) both ways. A delivery is a JSON array of events, each one an event here.
 */
export class SendgridVerifier implements Verifier {
  readonly provider = 'sendgrid';

  readonly defaults = { eventType: 'payload.event', idempotencyKey: 'payload.sg_event_id' };

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    try {
      return this.check(request, source);
    } catch {
      return rejected('malformed_signature', `the delivery could not be checked against header ${SIGNATURE_HEADER}`, {
        signatureHeader: SIGNATURE_HEADER,
        timestampHeader: TIMESTAMP_HEADER,
      });
    }
  }

  split(payload: unknown): unknown[] {
    return Array.isArray(payload) ? (payload as unknown[]) : [payload];
  }

  private check(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const evidence: VerdictEvidence = { signatureHeader: SIGNATURE_HEADER, timestampHeader: TIMESTAMP_HEADER };
    const header = request.headers[SIGNATURE_HEADER]?.trim();
    if (header === undefined || header === '') return rejected('missing_signature', `header ${SIGNATURE_HEADER} is missing`, evidence);
    const timestamp = request.headers[TIMESTAMP_HEADER]?.trim();
    if (timestamp === undefined || timestamp === '')
      return rejected('missing_signature', `header ${TIMESTAMP_HEADER} is missing`, evidence);
    if (!UNIX_SECONDS.test(timestamp))
      return rejected('malformed_signature', `header ${TIMESTAMP_HEADER} is not a Unix timestamp in seconds`, evidence);
    const signature = decodeDerSignature(header);
    if (!signature) return rejected('malformed_signature', `header ${SIGNATURE_HEADER} is not a base64 DER ECDSA signature`, evidence);

    const tolerance = toleranceMs(source, DEFAULT_TOLERANCE_MS);
    Object.assign(evidence, timestampEvidence(Number(timestamp), request.receivedAt, tolerance));
    const problem = timestampProblem(Number(timestamp), request.receivedAt, tolerance);
    if (problem) return rejected('timestamp_out_of_tolerance', `header ${TIMESTAMP_HEADER}: ${problem}`, evidence);

    const key = publicKey(stringSetting(source, 'publicKey'));
    if (!key)
      return rejected(
        'signature_mismatch',
        'the source has no usable P-256 verification key (settings.publicKey) to check the signature with',
        evidence,
      );
    const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.rawBody]);
    if (!verifySignature('sha256', signed, key, signature)) {
      return rejected(
        'signature_mismatch',
        `header ${SIGNATURE_HEADER} does not match the timestamp and body under the configured key`,
        evidence,
      );
    }
    return ACCEPTED;
  }
}

/** The signature bytes when the header is canonical base64 of a DER `SEQUENCE { INTEGER r, INTEGER s }`. */
function decodeDerSignature(header: string): Buffer | undefined {
  if (!BASE64.test(header)) return undefined;
  const der = Buffer.from(header, 'base64');
  if (der.toString('base64') !== header) return undefined;
  // P-256 integers are at most 33 bytes, so every length is a single short-form byte.
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  let offset = 2;
  for (let integer = 0; integer < 2; integer++) {
    const length = der[offset + 1] ?? 0;
    if (der[offset] !== 0x02 || length < 1 || length > 33) return undefined;
    offset += 2 + length;
  }
  return offset === der.length ? der : undefined;
}

/** The configured key parsed once: PEM as is, otherwise base64 DER SubjectPublicKeyInfo; undefined unless a P-256 key. */
function publicKey(text: string | undefined): KeyObject | undefined {
  if (text === undefined) return undefined;
  const cached = keyCache.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parsePublicKey(text);
  if (keyCache.size >= KEY_CACHE_SIZE) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  keyCache.set(text, parsed ?? null);
  return parsed;
}

function parsePublicKey(text: string): KeyObject | undefined {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : undefined;
  } catch {
    return undefined;
  }
}
