import { createHmac } from 'node:crypto';
import { hmacSettings, signedContent } from './hmac.verifier';
import { SignedDelivery, Signer, SigningError, SigningRequest } from './signer';
import { stringSetting } from './source-settings';

/**
 * The generic HMAC scheme with the source's settings: `header`, `algorithm`, `encoding`, `prefix`
 * (written only when the source sets one), `timestampHeader` and `signedContent`.
 */
export class HmacSigner implements Signer {
  readonly provider = 'hmac';

  sign({ body, secret, settings, now, url }: SigningRequest): SignedDelivery {
    const { headerName, algorithm, encoding, timestampHeader, signedContent: template } = hmacSettings({ settings });
    if (timestampHeader === undefined && template.includes('{timestamp}'))
      throw new SigningError('the source signs {timestamp} (signedContent) but sets no timestampHeader to send it in');
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const digest = createHmac(algorithm, secret)
      .update(signedContent(template, body, timestamp))
      .digest(encoding);
    const headers: Record<string, string> = { [headerName]: `${stringSetting({ settings }, 'prefix') ?? ''}${digest}` };
    if (timestampHeader !== undefined) headers[timestampHeader] = timestamp;
    return { body, headers, url };
  }
}
