import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { DefinitionOrigin, RuleEntity, RuleVersionEntity, SourceEntity } from '../entities';
import { SecretBox } from '../secret-box';

/** A source as the apps use it: settings plus decrypted secrets. */
export interface SourceRecord {
  id: string;
  provider: string;
  settings: Record<string, unknown>;
  secrets: string[];
  enabled: boolean;
  origin: DefinitionOrigin;
}

export interface RuleVersionInput {
  id: string;
  sourceId: string;
  enabled: boolean;
  definition: Record<string, unknown>;
  checksum: string;
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

/** Any constant unique to this lock: only one process syncs the catalog at a time. */
const CATALOG_SYNC_LOCK = 742_001;

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
   * define (disabled, not deleted, so past runs stay reviewable).
   */
  async syncYamlCatalog(sources: Omit<SourceRecord, 'origin'>[], rules: RuleVersionInput[]): Promise<CatalogSyncResult> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [CATALOG_SYNC_LOCK]);
      for (const source of sources) {
        await manager.query(
          `INSERT INTO sources (id, provider, settings, secrets_encrypted, origin, enabled) VALUES ($1, $2, $3, $4, 'yaml', $5)
           ON CONFLICT (id) DO UPDATE SET provider = $2, settings = $3, secrets_encrypted = $4, origin = 'yaml', enabled = $5, updated_at = now()`,
          [
            source.id,
            source.provider,
            JSON.stringify(source.settings),
            source.secrets.length > 0 ? this.secretBox.seal(source.secrets) : null,
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
        const version = await this.saveRuleVersion(manager, rule, 'yaml');
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

  /** Every enabled source with its secrets decrypted. */
  async enabledSources(): Promise<SourceRecord[]> {
    const rows = await this.dataSource.getRepository(SourceEntity).find({ where: { enabled: true } });
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

  private async saveRuleVersion(manager: EntityManager, rule: RuleVersionInput, origin: DefinitionOrigin): Promise<number | undefined> {
    const rules = manager.getRepository(RuleEntity);
    const versions = manager.getRepository(RuleVersionEntity);
    const existing = await rules.findOneBy({ id: rule.id });
    const current = existing ? await versions.findOneBy({ ruleId: rule.id, version: existing.currentVersion }) : null;
    if (existing && current?.checksum === rule.checksum) {
      if (existing.enabled !== rule.enabled || existing.sourceId !== rule.sourceId || existing.origin !== origin) {
        await rules.update({ id: rule.id }, { enabled: rule.enabled, sourceId: rule.sourceId, origin });
      }
      return undefined;
    }
    const version = (existing?.currentVersion ?? 0) + 1;
    if (!existing) await rules.insert({ id: rule.id, sourceId: rule.sourceId, currentVersion: 0, origin, enabled: rule.enabled });
    await manager.query('INSERT INTO rule_versions (rule_id, version, definition, checksum) VALUES ($1, $2, $3, $4)', [
      rule.id,
      version,
      JSON.stringify(rule.definition),
      rule.checksum,
    ]);
    await rules.update({ id: rule.id }, { currentVersion: version, sourceId: rule.sourceId, enabled: rule.enabled, origin });
    return version;
  }

  private async disableMissing(
    manager: EntityManager,
    entity: typeof SourceEntity | typeof RuleEntity,
    keepIds: string[],
  ): Promise<string[]> {
    const repository = manager.getRepository<SourceEntity | RuleEntity>(entity);
    const stale = await repository.find({
      select: { id: true },
      where: { origin: 'yaml', enabled: true, ...(keepIds.length > 0 ? { id: Not(In(keepIds)) } : {}) },
    });
    if (stale.length > 0) await repository.update({ id: In(stale.map((row) => row.id)) }, { enabled: false });
    return stale.map((row) => row.id);
  }
}
