import { createHmac } from 'node:crypto';
import { SignedDelivery, Signer, SigningError, SigningRequest } from './signer';
import { HeaderFamily, secretKey } from './standard-webhooks.verifier';

/**
 * Standard Webhooks: `<family>-id`, `<family>-timestamp` and `<family>-signature:
 * v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the base64-decoded secret.
 */
export class StandardWebhooksSigner implements Signer {
  constructor(
    readonly provider: string = 'standard-webhooks',
    private readonly family: HeaderFamily = 'webhook',
  ) {}

  sign({ body, secret, now, url, deliveryId }: SigningRequest): SignedDelivery {
    const key = secretKey(secret);
    if (key === undefined) throw new SigningError('the secret is not a Standard Webhooks secret: whsec_ followed by base64');
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const signature = createHmac('sha256', key).update(`${deliveryId}.${timestamp}.`).update(body).digest('base64');
    return {
      body,
      url,
      headers: {
        [`${this.family}-id`]: deliveryId,
        [`${this.family}-timestamp`]: timestamp,
        [`${this.family}-signature`]: `v1,${signature}`,
      },
    };
  }
}

/** Svix: the Standard Webhooks scheme under its `svix-` headers. */
export class SvixSigner extends StandardWebhooksSigner {
  constructor() {
    super('svix', 'svix');
  }
}
