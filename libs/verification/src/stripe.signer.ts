import { createHmac } from 'node:crypto';
import { SignedDelivery, Signer, SigningRequest } from './signer';

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export class StripeSigner implements Signer {
  readonly provider = 'stripe';

  sign({ body, secret, now, url }: SigningRequest): SignedDelivery {
    const timestamp = Math.floor(now.getTime() / 1000);
    const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
    return { body, url, headers: { 'stripe-signature': `t=${timestamp},v1=${signature}` } };
  }
}
