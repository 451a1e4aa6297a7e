import { createHmac } from 'node:crypto';
import { SignedDelivery, Signer, SigningRequest } from './signer';

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, and the delivery id in `X-GitHub-Delivery`. */
export class GithubSigner implements Signer {
  readonly provider = 'github';

  sign({ body, secret, url, deliveryId }: SigningRequest): SignedDelivery {
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    return { body, url, headers: { 'x-hub-signature-256': signature, 'x-github-delivery': deliveryId } };
  }

  /** `pull_request.opened` is sent as `X-GitHub-Event: pull_request`: the action comes from the payload, as from GitHub. */
  eventTypeHeaders(eventType: string): Record<string, string> {
    return { 'x-github-event': eventType.split('.')[0] ?? eventType };
  }
}
