import { createHmac } from 'node:crypto';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { matchesAny } from './constant-time';
import { timestampEvidence, timestampProblem, toleranceMs } from './source-settings';

const DEFAULT_TOLERANCE_MS = 300_000;
const SECRET_PREFIX = 'whsec_';
const UNIX_SECONDS = /^\d{1,15}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SHA256_BYTES = 32;

/** The header families read, most preferred first: `webhook-id`, … and Svix's `svix-id`, …. */
export type HeaderFamily = 'webhook' | 'svix';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): `<family>-id`, `<family>-timestamp` and
 * `<family>-signature` headers, the last a space-separated list of `v1,<base64>` entries (other
 * versions, such as asymmetric `v1a`, are ignored). Each is an HMAC-SHA256 over
 * `${id}.${timestamp}.${rawBody}`, keyed with the base64-decoded secret (a `whsec_` prefix is
 * stripped); any entry may match any secret. The timestamp must be within the tolerance (default
 * 300 s) both ways. Both the `webhook-` and the `svix-` headers are read, each name preferring the
 * provider's own family, as the Svix SDK does.
 */
export class StandardWebhooksVerifier implements Verifier {
  readonly defaults: { eventType: string; idempotencyKey: string };
  private readonly families: readonly HeaderFamily[];

  constructor(
    readonly provider: string = 'standard-webhooks',
    families: readonly HeaderFamily[] = ['webhook', 'svix'],
  ) {
    this.families = families;
    const [preferred, other] = families.map((family) => `event.headers."${family}-id"`);
    this.defaults = {
      eventType: 'payload.type',
      idempotencyKey: other === undefined ? `${preferred}` : `$exists(${preferred}) ? ${preferred} : ${other}`,
    };
  }

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    try {
      return this.check(request, source);
    } catch {
      return rejected('malformed_signature', `the delivery could not be checked against header ${this.headerName('signature')}`);
    }
  }

  private check(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const signatureHeader = this.header(request, 'signature');
    const timestampHeader = this.header(request, 'timestamp');
    // The headers actually read, else the preferred names: what the operator should look for.
    const evidence: VerdictEvidence = {
      signatureHeader: signatureHeader?.name ?? `${this.families[0]}-signature`,
      timestampHeader: timestampHeader?.name ?? `${this.families[0]}-timestamp`,
    };
    if (signatureHeader === undefined) return rejected('missing_signature', `header ${this.headerName('signature')} is missing`, evidence);
    const id = this.header(request, 'id')?.value;
    if (id === undefined) return rejected('missing_signature', `header ${this.headerName('id')} is missing`, evidence);
    if (timestampHeader === undefined) return rejected('missing_signature', `header ${this.headerName('timestamp')} is missing`, evidence);
    const timestamp = timestampHeader.value;
    if (!UNIX_SECONDS.test(timestamp)) {
      return rejected('malformed_signature', `header ${this.headerName('timestamp')} is not a Unix timestamp in seconds`, evidence);
    }
    const tolerance = toleranceMs(source, DEFAULT_TOLERANCE_MS);
    Object.assign(evidence, timestampEvidence(Number(timestamp), request.receivedAt, tolerance));
    const signatures = v1Signatures(signatureHeader.value);
    if (signatures.length === 0) {
      return rejected(
        'malformed_signature',
        `header ${this.headerName('signature')} has no well-formed v1,<base64 HMAC-SHA256> entry`,
        evidence,
      );
    }

    const problem = timestampProblem(Number(timestamp), request.receivedAt, tolerance);
    if (problem) return rejected('timestamp_out_of_tolerance', `header ${this.headerName('timestamp')}: ${problem}`, evidence);

    const signedPrefix = Buffer.from(`${id}.${timestamp}.`, 'utf8');
    const expected = source.secrets
      .map(secretKey)
      .filter((key): key is Buffer => key !== undefined)
      .map((key) => createHmac('sha256', key).update(signedPrefix).update(request.rawBody).digest());
    // Every listed signature is compared with every secret's, whatever matched before.
    let matched = false;
    for (const signature of signatures) matched = matchesAny(expected, signature) || matched;
    if (!matched) {
      return rejected(
        'signature_mismatch',
        `no v1 entry of header ${this.headerName('signature')} matches the id, timestamp and body signed with any configured secret`,
        evidence,
      );
    }
    return ACCEPTED;
  }

  /** The first non-blank value among the families' headers, trimmed, with the name it was read from. */
  private header(request: DeliveryRequest, name: string): { name: string; value: string } | undefined {
    for (const family of this.families) {
      const value = request.headers[`${family}-${name}`]?.trim();
      if (value) return { name: `${family}-${name}`, value };
    }
    return undefined;
  }

  private headerName(name: string): string {
    const [preferred, ...others] = this.families.map((family) => `${family}-${name}`);
    return others.length === 0 ? `${preferred}` : `${preferred} (or ${others.join(', ')})`;
  }
}

/** The decoded signatures of the header's well-formed `v1,<base64>` entries. */
function v1Signatures(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of header.split(/\s+/)) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') continue;
    const decoded = decodeBase64(entry.slice(comma + 1));
    if (decoded?.length === SHA256_BYTES) signatures.push(decoded);
  }
  return signatures;
}

/** The HMAC key of a secret: base64 after an optional `whsec_` prefix; undefined when not base64 or empty. */
export function secretKey(secret: string): Buffer | undefined {
  const key = decodeBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  return key && key.length > 0 ? key : undefined;
}

/** Canonical base64 only (padding optional): Node's decoder alone would skip stray characters. */
function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text) || text.length % 4 === 1 || (text.endsWith('=') && text.length % 4 !== 0)) return undefined;
  const decoded = Buffer.from(text, 'base64');
  return decoded.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '') ? decoded : undefined;
}
