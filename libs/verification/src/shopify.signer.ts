import { createHmac } from 'node:crypto';
import { SignedDelivery, Signer, SigningRequest } from './signer';

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, the delivery id in `X-Shopify-Webhook-Id`. */
export class ShopifySigner implements Signer {
  readonly provider = 'shopify';

  sign({ body, secret, url, deliveryId }: SigningRequest): SignedDelivery {
    const signature = createHmac('sha256', secret).update(body).digest('base64');
    return { body, url, headers: { 'x-shopify-hmac-sha256': signature, 'x-shopify-webhook-id': deliveryId } };
  }

  eventTypeHeaders(eventType: string): Record<string, string> {
    return { 'x-shopify-topic': eventType };
  }
}
