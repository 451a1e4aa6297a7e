import { createHmac } from 'node:crypto';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { matchesAny } from './constant-time';
import { stringSetting, timestampEvidence, timestampProblem, toleranceMs } from './source-settings';
import { headerValue } from './source-settings';

export const DEFAULT_HMAC_HEADER = 'x-webhook-signature';
const DEFAULT_TOLERANCE_MS = 300_000;

type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
type HmacEncoding = 'hex' | 'base64';

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };
const HEX = /^[0-9a-f]+$/i;
/** Standard or URL-safe alphabet, padding optional. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const UNIX_SECONDS = /^\d{1,15}$/;
const PLACEHOLDER = /(\{timestamp\}|\{body\})/;

export interface HmacSettings {
  headerName: string;
  algorithm: HmacAlgorithm;
  encoding: HmacEncoding;
  /** Stripped from the signature when present (case-insensitive). */
  prefix: string;
  timestampHeader: string | undefined;
  signedContent: string;
}

/**
 * Generic HMAC over the raw body (and optionally a timestamp), in a configurable header. Defaults:
 * HMAC-SHA256, hex, header `X-Webhook-Signature`, an optional `sha256=` prefix, the body alone signed.
 * Settings: `header`, `algorithm` (sha1|sha256|sha512), `encoding` (hex|base64), `prefix`,
 * `timestampHeader` (then required, Unix seconds, checked against `tolerance`) and `signedContent`
 * (a template of `{timestamp}` and `{body}`; default `{body}`, or `{timestamp}.{body}` with a timestamp).
 */
export class HmacVerifier implements Verifier {
  readonly provider = 'hmac';

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const settings = hmacSettings(source);
    const { headerName, algorithm, encoding } = settings;
    const evidence: VerdictEvidence = { signatureHeader: headerName };
    if (settings.timestampHeader !== undefined) evidence.timestampHeader = settings.timestampHeader;

    const header = headerValue(request.headers, headerName);
    if (header === undefined || header.trim() === '') return rejected('missing_signature', `header ${headerName} is missing`, evidence);

    let timestamp: string | undefined;
    if (settings.timestampHeader !== undefined) {
      timestamp = headerValue(request.headers, settings.timestampHeader)?.trim();
      if (timestamp === undefined || timestamp === '')
        return rejected('missing_signature', `header ${settings.timestampHeader} is missing`, evidence);
    } else if (settings.signedContent.includes('{timestamp}')) {
      return rejected('missing_signature', 'signedContent uses {timestamp} but the source sets no timestampHeader', evidence);
    }

    const received = decodeSignature(stripPrefix(header.trim(), settings.prefix), algorithm, encoding);
    if (received === undefined)
      return rejected(
        'malformed_signature',
        `header ${headerName} is not a ${encoding} HMAC-${algorithm.toUpperCase()} (optionally prefixed ${settings.prefix})`,
        evidence,
      );

    if (settings.timestampHeader !== undefined && timestamp !== undefined) {
      if (!UNIX_SECONDS.test(timestamp))
        return rejected('malformed_signature', `header ${settings.timestampHeader} is not a Unix timestamp in seconds`, evidence);
      const tolerance = toleranceMs(source, DEFAULT_TOLERANCE_MS);
      Object.assign(evidence, timestampEvidence(Number(timestamp), request.receivedAt, tolerance));
      const problem = timestampProblem(Number(timestamp), request.receivedAt, tolerance);
      if (problem !== undefined) return rejected('timestamp_out_of_tolerance', `header ${settings.timestampHeader}: ${problem}`, evidence);
    }

    const content = signedContent(settings.signedContent, request.rawBody, timestamp ?? '');
    const expected = source.secrets.map((secret) => createHmac(algorithm, secret).update(content).digest());
    if (!matchesAny(expected, received))
      return rejected('signature_mismatch', `header ${headerName} does not match the content signed with any configured secret`, evidence);
    return ACCEPTED;
  }
}

/** The source's hmac settings with their defaults: what deliveries are checked against, and what `send` signs with. */
export function hmacSettings(source: Pick<VerifiableSource, 'settings'>): HmacSettings {
  const algorithmSetting = stringSetting(source, 'algorithm', 'sha256').toLowerCase();
  const algorithm: HmacAlgorithm = algorithmSetting === 'sha1' || algorithmSetting === 'sha512' ? algorithmSetting : 'sha256';
  const encoding: HmacEncoding = stringSetting(source, 'encoding', 'hex').toLowerCase() === 'base64' ? 'base64' : 'hex';
  const prefix = stringSetting(source, 'prefix');
  const timestampHeader = stringSetting(source, 'timestampHeader')?.toLowerCase();
  return {
    headerName: stringSetting(source, 'header', DEFAULT_HMAC_HEADER).toLowerCase(),
    algorithm,
    encoding,
    // Without a configured prefix, `<algorithm>=` (GitHub style) is tolerated.
    prefix: prefix ?? `${algorithm}=`,
    timestampHeader,
    signedContent: stringSetting(source, 'signedContent', timestampHeader === undefined ? '{body}' : '{timestamp}.{body}'),
  };
}

function stripPrefix(signature: string, prefix: string): string {
  return signature.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase() ? signature.slice(prefix.length) : signature;
}

/** The signature's bytes, or undefined when it is not a well-formed digest of the algorithm in the encoding. */
function decodeSignature(text: string, algorithm: HmacAlgorithm, encoding: HmacEncoding): Buffer | undefined {
  const bytes = DIGEST_BYTES[algorithm];
  if (encoding === 'hex') return text.length === bytes * 2 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
  if (!BASE64.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  const padding = text.length - unpadded.length;
  if (unpadded.length !== Math.ceil((bytes * 4) / 3)) return undefined;
  if (padding !== 0 && text.length !== Math.ceil(bytes / 3) * 4) return undefined;
  const decoded = Buffer.from(unpadded, 'base64');
  return decoded.length === bytes ? decoded : undefined;
}

/** The signed bytes: the template's text around the timestamp and the raw body, never decoded. */
export function signedContent(template: string, rawBody: Buffer, timestamp: string): Buffer {
  const parts = template.split(PLACEHOLDER).map((part) => {
    if (part === '{body}') return rawBody;
    if (part === '{timestamp}') return Buffer.from(timestamp, 'utf8');
    return Buffer.from(part, 'utf8');
  });
  return Buffer.concat(parts);
}

/** A header's value; own properties only, so a configured name such as `constructor` reads nothing. */
