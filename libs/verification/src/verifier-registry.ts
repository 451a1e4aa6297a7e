import { HmacVerifier } from './hmac.verifier';
import { GithubVerifier } from './github.verifier';
import { StripeVerifier } from './stripe.verifier';
import { SlackVerifier } from './slack.verifier';
import { ShopifyVerifier } from './shopify.verifier';
import { NoneVerifier } from './none.verifier';
import { BasicVerifier } from './basic.verifier';
import { BearerVerifier } from './bearer.verifier';
import { MerakiVerifier } from './meraki.verifier';
import { TwilioVerifier } from './twilio.verifier';
import { SendgridVerifier } from './sendgrid.verifier';
import { StandardWebhooksVerifier } from './standard-webhooks.verifier';
import { SvixVerifier } from './svix.verifier';
import { Verifier } from './verifier';

/** Every supported scheme, by `provider` name. Adding a provider is a file and a line here. */
const VERIFIERS: ReadonlyMap<string, Verifier> = new Map(
  [
    new HmacVerifier(),
    new NoneVerifier(),
    new BasicVerifier(),
    new BearerVerifier(),
    new MerakiVerifier(),
    new GithubVerifier(),
    new StripeVerifier(),
    new SlackVerifier(),
    new ShopifyVerifier(),
    new TwilioVerifier(),
    new SendgridVerifier(),
    new StandardWebhooksVerifier(),
    new SvixVerifier(),
  ].map((verifier) => [verifier.provider, verifier]),
);

export function verifierFor(provider: string): Verifier | undefined {
  return VERIFIERS.get(provider);
}

export function supportedProviders(): string[] {
  return [...VERIFIERS.keys()];
}
