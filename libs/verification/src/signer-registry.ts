import { BasicSigner } from './basic.signer';
import { BearerSigner } from './bearer.signer';
import { GithubSigner } from './github.signer';
import { HmacSigner } from './hmac.signer';
import { MerakiSigner } from './meraki.signer';
import { NoneSigner } from './none.signer';
import { SendgridSigner } from './sendgrid.signer';
import { ShopifySigner } from './shopify.signer';
import { Signer } from './signer';
import { SlackSigner } from './slack.signer';
import { StandardWebhooksSigner, SvixSigner } from './standard-webhooks.signer';
import { StripeSigner } from './stripe.signer';
import { TwilioSigner } from './twilio.signer';

/** A signer per verifier scheme, by `provider` name: a provider is added with its verifier's file and line. */
const SIGNERS: ReadonlyMap<string, Signer> = new Map(
  [
    new HmacSigner(),
    new NoneSigner(),
    new BasicSigner(),
    new BearerSigner(),
    new MerakiSigner(),
    new GithubSigner(),
    new StripeSigner(),
    new SlackSigner(),
    new ShopifySigner(),
    new TwilioSigner(),
    new SendgridSigner(),
    new StandardWebhooksSigner(),
    new SvixSigner(),
  ].map((signer) => [signer.provider, signer]),
);

export function signerFor(provider: string): Signer | undefined {
  return SIGNERS.get(provider);
}
