import { HmacVerifier } from './hmac.verifier';
import { NoneVerifier } from './none.verifier';
import { Verifier } from './verifier';

/** Every supported scheme, by `provider` name. Adding a provider is a file and a line here. */
const VERIFIERS: ReadonlyMap<string, Verifier> = new Map(
  [new HmacVerifier(), new NoneVerifier()].map((verifier) => [verifier.provider, verifier]),
);

export function verifierFor(provider: string): Verifier | undefined {
  return VERIFIERS.get(provider);
}

export function supportedProviders(): string[] {
  return [...VERIFIERS.keys()];
}
