import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity, ApiKeyScope } from '../entities';

/** How often a key's last use is written: a busy client must not cost a write per request. */
const LAST_USED_PRECISION_MS = 60_000;

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Throws a unique violation (23505) when the name is taken. */
  async create(key: { name: string; scope: ApiKeyScope; keyHash: string; prefix: string }): Promise<ApiKeyEntity> {
    const entity = this.dataSource.getRepository(ApiKeyEntity).create({ id: randomUUID(), ...key });
    return this.dataSource.getRepository(ApiKeyEntity).save(entity);
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
  }

  /** A key that is not revoked, by the hash of its secret. */
  findActiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ keyHash, revokedAt: IsNull() });
  }

  /** Revokes by id or name; returns the key, or null when no active key matches. */
  async revoke(idOrName: string): Promise<ApiKeyEntity | null> {
    const repository = this.dataSource.getRepository(ApiKeyEntity);
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
    const key = await repository.findOneBy({ ...(isUuid ? { id: idOrName } : { name: idOrName }), revokedAt: IsNull() });
    if (!key) return null;
    key.revokedAt = new Date();
    await repository.update({ id: key.id, revokedAt: IsNull() }, { revokedAt: key.revokedAt });
    return key;
  }

  async touch(key: ApiKeyEntity, now = new Date()): Promise<void> {
    if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_PRECISION_MS) return;
    await this.dataSource.getRepository(ApiKeyEntity).update({ id: key.id }, { lastUsedAt: now });
  }
}
