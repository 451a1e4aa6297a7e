import { SignedDelivery, Signer, SigningRequest } from './signer';
import { stringSetting } from './source-settings';

/** A static token: `Authorization: Bearer <token>`, or the token alone in the source's `header`. */
export class BearerSigner implements Signer {
  readonly provider = 'bearer';

  sign({ body, secret, settings, url }: SigningRequest): SignedDelivery {
    const header = stringSetting({ settings }, 'header', 'authorization').toLowerCase();
    return { body, url, headers: { [header]: header === 'authorization' ? `Bearer ${secret}` : secret } };
  }
}
