import { ApiKeyEntity, ApiKeyScope, ApiKeysRepository } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'hfk_';
/** Shown in lists: the prefix and a few characters, enough to tell keys apart. */
const VISIBLE_LENGTH = KEY_PREFIX.length + 6;

/** A key as listed: never its secret or hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * Admin API keys: 32 random bytes, shown once; only the SHA-256 is stored. A plain hash is enough
 * for keys of this entropy (no one guesses their way to a preimage), and it makes lookup one query.
 */
@Injectable()
export class ApiKeysService {
  constructor(private readonly keys: ApiKeysRepository) {}

  async create(name: string, scope: ApiKeyScope): Promise<{ key: string; view: ApiKeyView }> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const entity = await this.keys.create({ name, scope, keyHash: hashKey(key), prefix: key.slice(0, VISIBLE_LENGTH) });
    return { key, view: toView(entity) };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map(toView);
  }

  async revoke(idOrName: string): Promise<ApiKeyView | undefined> {
    const revoked = await this.keys.revoke(idOrName);
    return revoked ? toView(revoked) : undefined;
  }

  /** The active key a bearer token names, or undefined. */
  async authenticate(token: string): Promise<ApiKeyEntity | undefined> {
    if (!token.startsWith(KEY_PREFIX)) return undefined;
    const key = await this.keys.findActiveByHash(hashKey(token));
    if (!key) return undefined;
    await this.keys.touch(key);
    return key;
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function toView(key: ApiKeyEntity): ApiKeyView {
  const { id, name, scope, prefix, createdAt, lastUsedAt, revokedAt } = key;
  return { id, name, scope, prefix, createdAt, lastUsedAt, revokedAt };
}
