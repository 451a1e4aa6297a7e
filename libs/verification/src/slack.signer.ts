import { createHmac } from 'node:crypto';
import { SignedDelivery, Signer, SigningRequest } from './signer';

/** Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` with `X-Slack-Request-Timestamp`. */
export class SlackSigner implements Signer {
  readonly provider = 'slack';

  sign({ body, secret, now, url }: SigningRequest): SignedDelivery {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const signature = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex');
    return { body, url, headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${signature}` } };
  }
}
