import { StoredSecret } from '@hookflow/persistence';
import { PROVIDERS_WITHOUT_SECRETS } from '@hookflow/rules';
import { secretFingerprint } from '@hookflow/verification';
import { ApiError } from '../errors/api-error';

/** How each provider without `secrets` verifies instead (or that it does not). */
const WITHOUT_SECRETS: Record<(typeof PROVIDERS_WITHOUT_SECRETS)[number], string> = {
  none: 'verifies nothing',
  sendgrid: 'verifies with its publicKey',
};

/** What a provider verifies with, if it takes no secrets; undefined if it needs them. */
const unusedSecretsReason = (provider: string): string | undefined =>
  (PROVIDERS_WITHOUT_SECRETS as readonly string[]).includes(provider)
    ? WITHOUT_SECRETS[provider as keyof typeof WITHOUT_SECRETS]
    : undefined;

const isActive = (secret: StoredSecret, now: Date): boolean => secret.expiresAt === null || secret.expiresAt.getTime() > now.getTime();

/**
 * Rotation: the new secret is added; with `keepOldUntil`, every other secret stops being accepted
 * at that time (or earlier, if it already expired sooner). Secrets already expired are dropped.
 */
export function addSecret(
  source: { id: string; provider: string },
  secrets: StoredSecret[],
  secret: string,
  keepOldUntil: Date | undefined,
  now: Date,
): StoredSecret[] {
  const unused = unusedSecretsReason(source.provider);
  if (unused) {
    throw ApiError.invalid('the secret cannot be added', [
      { path: 'secret', message: `source "${source.id}" has provider ${source.provider}, which ${unused}: it takes no secrets` },
    ]);
  }
  const kept = secrets.filter((existing) => isActive(existing, now));
  const fingerprint = secretFingerprint(secret);
  if (kept.some((existing) => secretFingerprint(existing.value) === fingerprint)) {
    throw ApiError.conflict('secret_exists', `source "${source.id}" already has this secret (fingerprint ${fingerprint})`);
  }
  const rotated = kept.map((existing) =>
    keepOldUntil !== undefined && (existing.expiresAt === null || existing.expiresAt > keepOldUntil)
      ? { value: existing.value, expiresAt: keepOldUntil }
      : existing,
  );
  return [...rotated, { value: secret, expiresAt: null }];
}

/**
 * Removes the secret with this fingerprint (and any already expired). A source whose provider
 * needs secrets keeps at least one that is still accepted.
 */
export function removeSecret(
  source: { id: string; provider: string },
  secrets: StoredSecret[],
  fingerprint: string,
  now: Date,
): StoredSecret[] {
  if (!secrets.some((secret) => secretFingerprint(secret.value) === fingerprint)) {
    throw ApiError.notFound(`secret of source "${source.id}" with fingerprint`, fingerprint);
  }
  const remaining = secrets.filter((secret) => secretFingerprint(secret.value) !== fingerprint && isActive(secret, now));
  if (remaining.length === 0 && !unusedSecretsReason(source.provider)) {
    throw ApiError.conflict(
      'last_secret',
      `source "${source.id}" (provider ${source.provider}) needs a secret it accepts: add the new one (POST /sources/${source.id}/secrets) before removing this one`,
    );
  }
  return remaining;
}
