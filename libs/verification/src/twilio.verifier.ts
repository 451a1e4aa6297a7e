import { createHash, createHmac } from 'node:crypto';
import { parse as parseQuerystring, stringify as stringifyQuerystring } from 'node:querystring';
import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { constantTimeEqual, matchesAny } from './constant-time';
import { stringSetting } from './source-settings';

const SIGNATURE_HEADER = 'x-twilio-signature';
const EVIDENCE: VerdictEvidence = Object.freeze({ signatureHeader: SIGNATURE_HEADER });
/** Base64 of a 20-byte HMAC-SHA1: 27 characters and one `=`. */
const BASE64_SHA1 = /^[A-Za-z0-9+/]{27}=$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const BODY_HASH_PARAMETER = 'bodySHA256';

/**
 * Twilio's request validation (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed with the auth token,
 * over the full URL followed by the form parameters sorted by name, each name followed by its value.
 * JSON bodies are signed through the URL only: it carries `bodySHA256`, the hex SHA-256 of the raw
 * body, checked after the signature. Mirrors the `twilio` package's `webhooks` module, including the
 * URLs it tries (as received and normalised, with and without the default port).
 *
 * The URL is `settings.publicUrl` when set (keeping the query string of the request when the
 * setting has none, since Twilio appends `bodySHA256` per request), else the request URL.
 *
 * Default event type: `EventType` (Conversations and the like), else `message.<SmsStatus>` /
 * `message.<MessageStatus>` (incoming messages and their status callbacks), else `call.<CallStatus>`
 * (voice), else `payload.type`. Default idempotency key: the `I-Twilio-Idempotency-Token` header.
 */
export class TwilioVerifier implements Verifier {
  readonly provider = 'twilio';

  readonly defaults = {
    eventType:
      '$exists(payload.EventType) ? payload.EventType' +
      " : $exists(payload.SmsStatus) ? 'message.' & payload.SmsStatus" +
      " : $exists(payload.MessageStatus) ? 'message.' & payload.MessageStatus" +
      " : $exists(payload.CallStatus) ? 'call.' & payload.CallStatus" +
      ' : payload.type',
    idempotencyKey: 'event.headers."i-twilio-idempotency-token"',
  };

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    try {
      return this.check(request, source);
    } catch {
      return rejected('malformed_signature', `the delivery could not be checked against header ${SIGNATURE_HEADER}`, EVIDENCE);
    }
  }

  private check(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const header = request.headers[SIGNATURE_HEADER]?.trim();
    if (header === undefined || header === '') return rejected('missing_signature', `header ${SIGNATURE_HEADER} is missing`, EVIDENCE);
    if (!BASE64_SHA1.test(header)) return rejected('malformed_signature', `header ${SIGNATURE_HEADER} is not a base64 HMAC-SHA1`, EVIDENCE);
    const received = Buffer.from(header, 'base64');

    const url = signedUrl(request.url, stringSetting(source, 'publicUrl'));
    const bodyHash = queryParameter(url, BODY_HASH_PARAMETER);
    // With bodySHA256 in the URL the body is JSON and only the URL is signed; otherwise it is a form.
    const parameters = bodyHash === null ? formParameters(request.rawBody) : new Map<string, string[]>();
    const signedParameters = concatenatedParameters(parameters);
    const expected = source.secrets.flatMap((authToken) =>
      candidateUrls(url).map((candidate) => createHmac('sha1', authToken).update(`${candidate}${signedParameters}`, 'utf8').digest()),
    );
    if (!matchesAny(expected, received)) {
      return rejected(
        'signature_mismatch',
        `header ${SIGNATURE_HEADER} does not match ${bodyHash === null ? 'the URL and form parameters' : 'the URL'} signed with any configured auth token`,
        EVIDENCE,
      );
    }

    if (bodyHash === null) return ACCEPTED;
    if (!HEX_SHA256.test(bodyHash))
      return rejected('malformed_signature', `query parameter ${BODY_HASH_PARAMETER} is not a hex SHA-256`, EVIDENCE);
    const actual = createHash('sha256').update(request.rawBody).digest();
    if (!constantTimeEqual(actual, Buffer.from(bodyHash, 'hex'))) {
      return rejected(
        'signature_mismatch',
        `the body does not match the ${BODY_HASH_PARAMETER} query parameter of the signed URL`,
        EVIDENCE,
      );
    }
    return ACCEPTED;
  }
}

/** The URL Twilio signed: the configured public URL (with the request's query string when it has none), else the request URL. */
export function signedUrl(requestUrl: string, publicUrl: string | undefined): string {
  if (publicUrl === undefined) return requestUrl;
  if (publicUrl.includes('?')) return publicUrl;
  const queryStart = requestUrl.indexOf('?');
  return queryStart === -1 ? publicUrl : `${publicUrl}${requestUrl.slice(queryStart)}`;
}

function queryParameter(url: string, name: string): string | null {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return null;
  const fragmentStart = url.indexOf('#', queryStart);
  return new URLSearchParams(url.slice(queryStart + 1, fragmentStart === -1 ? undefined : fragmentStart)).get(name);
}

export function formParameters(rawBody: Buffer): Map<string, string[]> {
  const parameters = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const values = parameters.get(name);
    if (values) values.push(value);
    else parameters.set(name, [value]);
  }
  return parameters;
}

/** Names sorted; each name followed by its value, or, when repeated, by each distinct value in order. */
export function concatenatedParameters(parameters: Map<string, string[]>): string {
  let data = '';
  for (const name of [...parameters.keys()].sort()) {
    for (const value of [...new Set(parameters.get(name))].sort()) data += `${name}${value}`;
  }
  return data;
}

/**
 * The URLs the `twilio` package tries, in its order: as received without and with the default port,
 * then as normalised by `new URL()` without and with the port, each also with the query string
 * re-encoded the way Node's legacy `querystring` does.
 */
function candidateUrls(url: string): string[] {
  const candidates = [removePort(url), addPort(url)];
  try {
    const normalised = new URL(url).toString();
    const withoutPort = removePort(normalised);
    const withPort = addPort(normalised);
    candidates.push(withoutPort, withPort, withLegacyQuerystring(withoutPort), withLegacyQuerystring(withPort));
  } catch {
    // Not an absolute URL: only the URL as received can match.
  }
  return [...new Set(candidates)];
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalising it, so the path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme = '', authority = ''] = match;
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // A colon only starts the port after the closing bracket of an IPv6 literal.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function addPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}

function removePort(url: string): string {
  const parts = splitUrl(url);
  if (!parts) return url;
  return parts.scheme + parts.userInfo + parts.host + parts.rest;
}

function withLegacyQuerystring(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1 || queryStart === url.length - 1) return url;
  return `${url.slice(0, queryStart)}?${stringifyQuerystring(parseQuerystring(url.slice(queryStart + 1)))}`;
}
