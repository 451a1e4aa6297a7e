import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { DefinitionOrigin, RuleEntity, RuleVersionEntity, SourceEntity } from '../entities';
import { SecretBox, StoredSecret } from '../secret-box';
import { CLOCK_TIMESTAMP, lockCatalog, RuleVersionInput, saveRuleVersion } from './catalog-writes';

export type { RuleVersionInput } from './catalog-writes';

/** A source as the apps use it: settings plus decrypted secrets, each with its expiry. */
export interface SourceRecord {
  id: string;
  provider: string;
  settings: Record<string, unknown>;
  secrets: StoredSecret[];
  enabled: boolean;
  origin: DefinitionOrigin;
}

/** A source as a rules directory defines it: its secrets never expire. */
export interface YamlSourceInput {
  id: string;
  provider: string;
  settings: Record<string, unknown>;
  secrets: string[];
  enabled: boolean;
}

/**
 * A rules directory defines sources or rules that were created through the admin API: the sync
 * refuses to take them over (it changes nothing) and names them.
 */
export class CatalogOwnershipError extends Error {
  override readonly name = 'CatalogOwnershipError';

  constructor(
    readonly sourceIds: string[],
    readonly ruleIds: string[],
  ) {
    super(
      [
        ...sourceIds.map((id) => `source "${id}" is managed through the admin API`),
        ...ruleIds.map((id) => `rule "${id}" is managed through the admin API`),
      ].join('; '),
    );
  }
}

export interface ActiveRuleVersion {
  ruleId: string;
  version: number;
  sourceId: string;
  definition: Record<string, unknown>;
}

export interface CatalogSyncResult {
  sourcesWritten: number;
  sourcesDisabled: string[];
  rulesVersioned: { id: string; version: number }[];
  rulesDisabled: string[];
}

/** Sources, rules and rule versions: how they are synced from YAML and read by the apps. */
@Injectable()
export class CatalogRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  /**
   * Makes the YAML-managed part of the catalog equal to the given definitions, in one transaction:
   * upserts sources, adds a rule version for each changed rule, disables what the files no longer
   * define (disabled, not deleted, so past runs stay reviewable). Sources and rules created through
   * the admin API (origin 'api') are never touched: a directory that defines one of their ids is
   * refused with a {@link CatalogOwnershipError}, and a directory that does not define them leaves them be.
   */
  async syncYamlCatalog(sources: YamlSourceInput[], rules: RuleVersionInput[]): Promise<CatalogSyncResult> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      await this.assertNotOwnedByApi(
        manager,
        sources.map((source) => source.id),
        rules.map((rule) => rule.id),
      );
      for (const source of sources) {
        await manager.query(
          `INSERT INTO sources (id, provider, settings, secrets_encrypted, origin, enabled, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'yaml', $5, clock_timestamp(), clock_timestamp())
           ON CONFLICT (id) DO UPDATE SET provider = $2, settings = $3, secrets_encrypted = $4, origin = 'yaml', enabled = $5,
                                          updated_at = clock_timestamp()`,
          [
            source.id,
            source.provider,
            JSON.stringify(source.settings),
            source.secrets.length > 0 ? this.secretBox.seal(source.secrets.map((value) => ({ value, expiresAt: null }))) : null,
            source.enabled,
          ],
        );
      }
      const sourcesDisabled = await this.disableMissing(
        manager,
        SourceEntity,
        sources.map((source) => source.id),
      );
      const rulesVersioned: CatalogSyncResult['rulesVersioned'] = [];
      for (const rule of rules) {
        const version = await saveRuleVersion(manager, rule, 'yaml');
        if (version !== undefined) rulesVersioned.push({ id: rule.id, version });
      }
      const rulesDisabled = await this.disableMissing(
        manager,
        RuleEntity,
        rules.map((rule) => rule.id),
      );
      return { sourcesWritten: sources.length, sourcesDisabled, rulesVersioned, rulesDisabled };
    });
  }

  /** Every enabled source that takes deliveries, with its secrets decrypted (the built-in `hookflow` takes none). */
  async enabledSources(): Promise<SourceRecord[]> {
    const rows = await this.dataSource.getRepository(SourceEntity).find({ where: { enabled: true, origin: Not('system') } });
    return rows.map((row) => ({
      id: row.id,
      provider: row.provider,
      settings: row.settings,
      secrets: row.secretsEncrypted ? this.secretBox.open(row.secretsEncrypted) : [],
      enabled: row.enabled,
      origin: row.origin,
    }));
  }

  /** The current version of every enabled rule. */
  async activeRuleVersions(): Promise<ActiveRuleVersion[]> {
    const rows: { rule_id: string; version: number; source_id: string; definition: Record<string, unknown> }[] =
      await this.dataSource.query(
        `SELECT r.id AS rule_id, v.version, r.source_id, v.definition
         FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version
        WHERE r.enabled ORDER BY r.id`,
      );
    return rows.map((row) => ({ ruleId: row.rule_id, version: row.version, sourceId: row.source_id, definition: row.definition }));
  }

  /** One specific rule version, enabled or not: a retried run keeps the version it started with. */
  async ruleVersion(ruleId: string, version: number): Promise<RuleVersionEntity | null> {
    return this.dataSource.getRepository(RuleVersionEntity).findOneBy({ ruleId, version });
  }

  /** Changes whenever a source or rule changes, so caches know when to reload. */
  async catalogStamp(): Promise<string> {
    const [row] = (await this.dataSource.query<{ sources: string; rules: string }[]>(
      `SELECT (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM sources) AS sources,
              (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM rules) AS rules`,
    )) as { sources: string; rules: string }[];
    return `${row?.sources}|${row?.rules}`;
  }

  private async assertNotOwnedByApi(manager: EntityManager, sourceIds: string[], ruleIds: string[]): Promise<void> {
    const owned = async (table: 'sources' | 'rules', ids: string[]): Promise<string[]> =>
      ids.length === 0
        ? []
        : (await manager.query<{ id: string }[]>(`SELECT id FROM ${table} WHERE origin = 'api' AND id = ANY($1) ORDER BY id`, [ids])).map(
            (row) => row.id,
          );
    const [apiSources, apiRules] = [await owned('sources', sourceIds), await owned('rules', ruleIds)];
    if (apiSources.length + apiRules.length > 0) throw new CatalogOwnershipError(apiSources, apiRules);
  }

  private async disableMissing(
    manager: EntityManager,
    entity: typeof SourceEntity | typeof RuleEntity,
    keepIds: string[],
  ): Promise<string[]> {
    const repository = manager.getRepository<SourceEntity | RuleEntity>(entity);
    const stale = await repository.find({
      select: { id: true, enabled: true },
      where: { origin: 'yaml', ...(keepIds.length > 0 ? { id: Not(In(keepIds)) } : {}) },
    });
    // Handed over: disabled, and from now on the API's to edit or delete (see DefinitionOrigin).
    if (stale.length > 0) {
      await repository.update(
        { id: In(stale.map((row) => row.id)) },
        { enabled: false, origin: 'yaml-removed', updatedAt: CLOCK_TIMESTAMP },
      );
    }
    return stale.filter((row) => row.enabled).map((row) => row.id);
  }
}
