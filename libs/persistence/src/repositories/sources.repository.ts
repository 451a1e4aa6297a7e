import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DefinitionOrigin, isApiWritable, SourceEntity } from '../entities';
import { SecretBox, StoredSecret } from '../secret-box';
import { lockCatalog } from './catalog-writes';
import { SourceRecord } from './catalog.repository';

/** A source as the admin API shows and edits it (its secrets are never shown, only fingerprinted). */
export interface SourceRow extends SourceRecord {
  createdAt: Date;
  updatedAt: Date;
}

/** A page of the catalog in id order: at most `limit` items after the id `after`. */
export interface CatalogPageQuery {
  limit: number;
  after?: string;
  origin?: DefinitionOrigin;
  enabled?: boolean;
}

/** A source's definition as the admin API writes it; `secrets` absent keeps the stored ones. */
export interface SourceWrite {
  provider: string;
  settings: Record<string, unknown>;
  secrets?: StoredSecret[];
  enabled?: boolean;
}

export type SourceDeletion =
  | { status: 'deleted' }
  | { status: 'not_found' }
  /** Rules name it: deleting it would leave them pointing at nothing. */
  | { status: 'named_by_rules'; ruleIds: string[] }
  /** Events were received through it (kept for review and replay; FK RESTRICT). */
  | { status: 'has_events' };

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Sources created and edited through the admin API (origin 'api'). Every write takes the catalog
 * write lock and stamps `updated_at` with the clock, so the other processes' caches (which compare
 * the catalog stamp) see each change in commit order. Writes apply to origin 'api' rows only.
 */
@Injectable()
export class SourcesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  /** Definitions only: the built-in `hookflow` source (origin 'system') is neither listed nor found, so the API cannot change it. */
  async list(query: CatalogPageQuery): Promise<SourceRow[]> {
    const builder = this.dataSource
      .getRepository(SourceEntity)
      .createQueryBuilder('source')
      .where("source.origin <> 'system'")
      .orderBy('source.id', 'ASC')
      .limit(query.limit);
    if (query.after !== undefined) builder.andWhere('source.id > :after', { after: query.after });
    if (query.origin !== undefined) builder.andWhere('source.origin = :origin', { origin: query.origin });
    if (query.enabled !== undefined) builder.andWhere('source.enabled = :enabled', { enabled: query.enabled });
    return (await builder.getMany()).map((entity) => this.toRow(entity));
  }

  async find(id: string): Promise<SourceRow | undefined> {
    const entity = await this.dataSource.getRepository(SourceEntity).findOneBy({ id });
    return entity && entity.origin !== 'system' ? this.toRow(entity) : undefined;
  }

  /** Every source id, enabled or not: what a rule may name. */
  async ids(): Promise<string[]> {
    const rows = await this.dataSource.getRepository(SourceEntity).find({ select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** Creates an API source; undefined when the id is taken. */
  async create(id: string, source: SourceWrite): Promise<SourceRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      const inserted = await manager.query<unknown[]>(
        `INSERT INTO sources (id, provider, settings, secrets_encrypted, origin, enabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'api', $5, clock_timestamp(), clock_timestamp())
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, source.provider, JSON.stringify(source.settings), this.sealed(source.secrets ?? []), source.enabled ?? true],
      );
      return inserted.length > 0 ? this.findWith(manager, id) : undefined;
    });
  }

  /** Replaces an API source's definition; undefined when there is no such API source. */
  async update(id: string, source: SourceWrite): Promise<SourceRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      const [rows, count] = await manager.query<[unknown[], number]>(
        `UPDATE sources SET provider = $2, settings = $3,
                secrets_encrypted = CASE WHEN $4::boolean THEN $5 ELSE secrets_encrypted END,
                enabled = coalesce($6, enabled), origin = 'api', updated_at = clock_timestamp()
          WHERE id = $1 AND origin NOT IN ('yaml', 'system') RETURNING id`,
        [
          id,
          source.provider,
          JSON.stringify(source.settings),
          source.secrets !== undefined,
          source.secrets !== undefined ? this.sealed(source.secrets) : null,
          source.enabled ?? null,
        ],
      );
      return rows.length > 0 || count > 0 ? this.findWith(manager, id) : undefined;
    });
  }

  /** Pauses or resumes an API source; undefined when there is no such API source. */
  async setEnabled(id: string, enabled: boolean): Promise<SourceRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      await manager.query(
        `UPDATE sources SET enabled = $2, origin = 'api', updated_at = clock_timestamp() WHERE id = $1 AND origin NOT IN ('yaml', 'system') AND (enabled <> $2 OR origin <> 'api')`,
        [id, enabled],
      );
      const row = await this.findWith(manager, id);
      return row && isApiWritable(row.origin) ? row : undefined;
    });
  }

  /**
   * Changes an API source's secrets: `change` gets the stored ones and returns the new list (it may
   * throw to refuse; nothing is written then). Read and write happen under the lock, so two
   * rotations never lose one another. Undefined when there is no such API source.
   */
  async changeSecrets(id: string, change: (secrets: StoredSecret[]) => StoredSecret[]): Promise<SourceRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      const current = await this.findWith(manager, id);
      if (!current || !isApiWritable(current.origin)) return undefined;
      await manager.query(`UPDATE sources SET secrets_encrypted = $2, origin = 'api', updated_at = clock_timestamp() WHERE id = $1`, [
        id,
        this.sealed(change(current.secrets)),
      ]);
      return this.findWith(manager, id);
    });
  }

  /**
   * Deletes an API source that nothing refers to. A source that rules name, or that received events
   * (kept for review and replay: the events' foreign key restricts), is not deleted.
   */
  async delete(id: string): Promise<SourceDeletion> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await lockCatalog(manager);
        const rules = await manager.query<{ id: string }[]>('SELECT id FROM rules WHERE source_id = $1 ORDER BY id', [id]);
        if (rules.length > 0) return { status: 'named_by_rules', ruleIds: rules.map((rule) => rule.id) };
        const [events] = await manager.query<{ exists: boolean }[]>('SELECT EXISTS (SELECT 1 FROM events WHERE source_id = $1) AS exists', [
          id,
        ]);
        if (events?.exists) return { status: 'has_events' };
        const [deleted, count] = await manager.query<[unknown[], number]>(
          `DELETE FROM sources WHERE id = $1 AND origin NOT IN ('yaml', 'system') RETURNING id`,
          [id],
        );
        return deleted.length > 0 || count > 0 ? { status: 'deleted' } : { status: 'not_found' };
      });
    } catch (error) {
      // An event committed between the check and the delete.
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) return { status: 'has_events' };
      throw error;
    }
  }

  private async findWith(manager: EntityManager, id: string): Promise<SourceRow | undefined> {
    const entity = await manager.getRepository(SourceEntity).findOneBy({ id });
    return entity ? this.toRow(entity) : undefined;
  }

  private sealed(secrets: StoredSecret[]): string | null {
    return secrets.length > 0 ? this.secretBox.seal(secrets) : null;
  }

  private toRow(entity: SourceEntity): SourceRow {
    return {
      id: entity.id,
      provider: entity.provider,
      settings: entity.settings,
      secrets: entity.secretsEncrypted ? this.secretBox.open(entity.secretsEncrypted) : [],
      enabled: entity.enabled,
      origin: entity.origin,
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
    };
  }
}
