import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { stringSetting } from './source-settings';
import { headerValue } from './source-settings';
import { matchesAny, sha256Digest } from './constant-time';

const AUTHORIZATION = 'authorization';
const BEARER = /^Bearer[ \t]+(\S+)$/i;
const OPTIONAL_BEARER = /^Bearer[ \t]+/i;

type Found = { token: string } | { problem: 'missing' | 'malformed'; detail: string };

/**
 * A static token: `Authorization: Bearer <token>`, or the whole value of the header named by
 * `header` (a `Bearer ` prefix tolerated), or, with `queryParameter`, that parameter of the URL.
 * The tokens are the source's secrets, any of which is accepted (rotation).
 */
export class BearerVerifier implements Verifier {
  readonly provider = 'bearer';

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const headerName = stringSetting(source, 'header', AUTHORIZATION).toLowerCase();
    const queryParameter = stringSetting(source, 'queryParameter');
    const evidence: VerdictEvidence = { signatureHeader: headerName };
    const found = [tokenInHeader(request, headerName)];
    if (queryParameter !== undefined) found.push(tokenInQuery(request.url, queryParameter));

    const tokens = found.flatMap((item) => ('token' in item ? [item.token] : []));
    if (tokens.length === 0) {
      const problems = found.flatMap((item) => ('problem' in item ? [item] : []));
      const malformed = problems.find((item) => item.problem === 'malformed');
      if (malformed) return rejected('malformed_signature', malformed.detail, evidence);
      return rejected('missing_signature', problems.map((item) => item.detail).join('; '), evidence);
    }

    // Digests on both sides: equal lengths, so the tokens' lengths do not leak.
    const expected = source.secrets.map((secret) => sha256Digest(secret));
    let matched = false;
    for (const token of tokens) matched = matchesAny(expected, sha256Digest(token)) || matched;
    if (!matched) return rejected('signature_mismatch', 'the bearer token does not match any configured token', evidence);
    return ACCEPTED;
  }
}

function tokenInHeader(request: DeliveryRequest, headerName: string): Found {
  const value = headerValue(request.headers, headerName)?.trim();
  if (value === undefined || value === '') return { problem: 'missing', detail: `header ${headerName} is missing` };
  if (headerName === AUTHORIZATION) {
    const token = BEARER.exec(value)?.[1];
    return token === undefined ? { problem: 'malformed', detail: 'header authorization does not carry a Bearer token' } : { token };
  }
  const token = value.replace(OPTIONAL_BEARER, '');
  return token === '' ? { problem: 'malformed', detail: `header ${headerName} carries no token` } : { token };
}

function tokenInQuery(url: string, parameter: string): Found {
  let token: string | null = null;
  try {
    token = new URL(url, 'http://hookflow.invalid').searchParams.get(parameter);
  } catch {
    return { problem: 'malformed', detail: 'the request URL cannot be parsed' };
  }
  return token === null || token === '' ? { problem: 'missing', detail: `query parameter ${parameter} is missing` } : { token };
}

/** A header's value; own properties only, so a configured name such as `constructor` reads nothing. */
