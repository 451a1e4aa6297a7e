import { ACCEPTED, DeliveryRequest, DeliveryVerdict, rejected, VerdictEvidence, VerifiableSource, Verifier } from './verifier';
import { stringSetting } from './source-settings';
import { constantTimeEqual, matchesAny, sha256Digest } from './constant-time';

const BASIC = /^Basic[ \t]+(\S+)$/i;
/** RFC 7617 credentials: standard base64, padding tolerated when left out. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const COLON = 0x3a;
const EVIDENCE: VerdictEvidence = Object.freeze({ signatureHeader: 'authorization' });

/**
 * HTTP Basic authentication (RFC 7617): `Authorization: Basic base64(user:password)`. The user is
 * the source's `username`; the passwords are its secrets, any of which is accepted (rotation).
 */
export class BasicVerifier implements Verifier {
  readonly provider = 'basic';

  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict {
    const header = request.headers.authorization?.trim();
    if (header === undefined || header === '') return rejected('missing_signature', 'header authorization is missing', EVIDENCE);

    const encoded = BASIC.exec(header)?.[1];
    if (encoded === undefined) return rejected('malformed_signature', 'header authorization does not carry Basic credentials', EVIDENCE);
    const unpadded = encoded.replace(/=+$/, '');
    if (!BASE64.test(encoded) || unpadded.length % 4 === 1)
      return rejected('malformed_signature', 'header authorization: the Basic credentials are not base64', EVIDENCE);
    const credentials = Buffer.from(unpadded, 'base64');
    const colon = credentials.indexOf(COLON);
    if (colon < 0)
      return rejected('malformed_signature', 'header authorization: the Basic credentials have no user:password colon', EVIDENCE);

    // Digests on both sides: equal lengths, so neither the user's nor the passwords' lengths leak.
    const username = stringSetting(source, 'username');
    const userMatches = constantTimeEqual(sha256Digest(Buffer.from(username ?? '', 'utf8')), sha256Digest(credentials.subarray(0, colon)));
    const passwordMatches = matchesAny(
      source.secrets.map((secret) => sha256Digest(Buffer.from(secret, 'utf8'))),
      sha256Digest(credentials.subarray(colon + 1)),
    );
    if (username === undefined)
      return rejected('signature_mismatch', 'the source sets no username to check the credentials against', EVIDENCE);
    if (!userMatches || !passwordMatches)
      return rejected('signature_mismatch', 'header authorization: the user name or password does not match', EVIDENCE);
    return ACCEPTED;
  }
}
