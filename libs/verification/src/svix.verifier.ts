import { StandardWebhooksVerifier } from './standard-webhooks.verifier';

/**
 * Svix: the Standard Webhooks scheme under `svix-id`, `svix-timestamp` and `svix-signature` (the
 * unbranded `webhook-` headers are accepted too, as the Svix SDK does).
 */
export class SvixVerifier extends StandardWebhooksVerifier {
  constructor() {
    super('svix', ['svix', 'webhook']);
  }
}
