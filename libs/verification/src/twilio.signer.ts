import { createHash, createHmac } from 'node:crypto';
import { SignedDelivery, Signer, SigningError, SigningRequest } from './signer';
import { stringSetting } from './source-settings';
import { concatenatedParameters, formParameters, signedUrl } from './twilio.verifier';

const FORM = 'application/x-www-form-urlencoded';

/**
 * Twilio: `X-Twilio-Signature`, the base64 HMAC-SHA1 (keyed with the auth token) of the URL followed
 * by the form fields sorted by name. A JSON body is signed through the URL: `bodySHA256=<hex SHA-256
 * of the body>` is added to its query. The URL signed is the source's `publicUrl` when it sets one,
 * else the request's (the URL Twilio would post to, as ingest sees it).
 */
export class TwilioSigner implements Signer {
  readonly provider = 'twilio';

  sign({ body, contentType, secret, settings, url, deliveryId }: SigningRequest): SignedDelivery {
    const publicUrl = stringSetting({ settings }, 'publicUrl');
    const isForm = contentType.split(';')[0]?.trim().toLowerCase() === FORM;
    let postedUrl = url;
    if (!isForm) {
      if (publicUrl?.includes('?'))
        throw new SigningError("a JSON body is signed through bodySHA256 in the URL's query, but the source's publicUrl fixes the query");
      postedUrl = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    }
    const parameters = isForm ? concatenatedParameters(formParameters(body)) : '';
    const signature = createHmac('sha1', secret)
      .update(`${signedUrl(postedUrl, publicUrl)}${parameters}`, 'utf8')
      .digest('base64');
    return { body, url: postedUrl, headers: { 'x-twilio-signature': signature, 'i-twilio-idempotency-token': deliveryId } };
  }
}
