import { createHmac } from 'node:crypto';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { matchesAny } from './constant-time';
import { timestampEvidence, timestampProblem, toleranceMs } from './source-settings';

const SIGNATURE_HEADER = 'stripe-signature';
const DEFAULT_TOLERANCE_MS = 300_000;
const UNIX_SECONDS = /^\d{1,15}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const KEY = /^[a-z][a-z0-9_]*$/i;

interface StripeSignatureHeader {
  timestamp: string;
  signatures: Buffer[];
}

/**
 * Stripe webhooks: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` an HMAC-SHA256 of
 * `<t>.<raw body>` (several while Stripe rolls a secret; any may match). Other schemes (`v0`) are
 * ignored. As in Stripe's SDK the signature is checked before the timestamp, so a forged old
 * delivery is a mismatch; unlike the SDK the timestamp is checked both ways.
 */
export class StripeVerifier implements Verifier {
  readonly provider = 'stripe';

  readonly defaults = { eventType: 'payload.type', idempotencyKey: 'payload.id' };

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const evidence: VerdictEvidence = { signatureHeader: SIGNATURE_HEADER };
    const header = request.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || header.trim() === '')
      return rejected('missing_signature', `header ${SIGNATURE_HEADER} is missing`, evidence);
    const parsed = parseSignatureHeader(header);
    if (parsed === undefined)
      return rejected(
        'malformed_signature',
        `header ${SIGNATURE_HEADER} is not t=<unix seconds> with one or more v1=<hex HMAC-SHA256>`,
        evidence,
      );
    // Known before the signature is checked, so a mismatch also says how old the delivery was.
    const tolerance = toleranceMs(source, DEFAULT_TOLERANCE_MS);
    Object.assign(evidence, timestampEvidence(Number(parsed.timestamp), request.receivedAt, tolerance));

    const signedPrefix = Buffer.from(`${parsed.timestamp}.`, 'utf8');
    const expected = source.secrets.map((secret) => createHmac('sha256', secret).update(signedPrefix).update(request.rawBody).digest());
    let matched = false;
    for (const signature of parsed.signatures) matched = matchesAny(expected, signature) || matched;
    if (!matched)
      return rejected(
        'signature_mismatch',
        `header ${SIGNATURE_HEADER} has no v1 signature matching the body signed with any configured secret`,
        evidence,
      );

    const problem = timestampProblem(Number(parsed.timestamp), request.receivedAt, tolerance);
    if (problem !== undefined) return rejected('timestamp_out_of_tolerance', `header ${SIGNATURE_HEADER}: ${problem}`, evidence);
    return ACCEPTED;
  }
}

/** Exactly one `t`, at least one well-formed `v1`; any other `key=value` item is ignored. */
function parseSignatureHeader(header: string): StripeSignatureHeader | undefined {
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) return undefined;
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (!KEY.test(key)) return undefined;
    if (key === 't') {
      if (timestamp !== undefined || !UNIX_SECONDS.test(value)) return undefined;
      timestamp = value;
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) return undefined;
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}
