import { EntityManager } from 'typeorm';
import { DefinitionOrigin, RuleEntity, RuleVersionEntity } from '../entities';

/**
 * Any constant unique to this lock: one writer of the catalog at a time, whether it syncs a rules
 * directory or serves the admin API, so neither sees the other's half-done change.
 */
export const CATALOG_WRITE_LOCK = 742_001;

/**
 * The value of `updated_at` for a catalog write: the clock when the write happens under the lock,
 * not the transaction's start (`now()`), so the catalog stamp (max updated_at) grows in commit order
 * and no cache misses a change that committed after one it already saw.
 */
export const CLOCK_TIMESTAMP = (): string => 'clock_timestamp()';

/** A rule definition to save, with the checksum that tells whether it changed. */
export interface RuleVersionInput {
  id: string;
  sourceId: string;
  enabled: boolean;
  definition: Record<string, unknown>;
  checksum: string;
}

/** Takes the catalog write lock for the rest of the transaction. */
export async function lockCatalog(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [CATALOG_WRITE_LOCK]);
}

/**
 * Saves a rule: a new version when its checksum differs from the current version's (or it is new),
 * else only its state. Returns the new version number, or undefined when the definition was unchanged.
 */
export async function saveRuleVersion(
  manager: EntityManager,
  rule: RuleVersionInput,
  origin: DefinitionOrigin,
): Promise<number | undefined> {
  const rules = manager.getRepository(RuleEntity);
  const versions = manager.getRepository(RuleVersionEntity);
  const existing = await rules.findOneBy({ id: rule.id });
  const current = existing ? await versions.findOneBy({ ruleId: rule.id, version: existing.currentVersion }) : null;
  if (existing && current?.checksum === rule.checksum) {
    if (existing.enabled !== rule.enabled || existing.sourceId !== rule.sourceId || existing.origin !== origin) {
      await rules.update({ id: rule.id }, { enabled: rule.enabled, sourceId: rule.sourceId, origin, updatedAt: CLOCK_TIMESTAMP });
    }
    return undefined;
  }
  const version = (existing?.currentVersion ?? 0) + 1;
  if (!existing) {
    await rules.insert({
      id: rule.id,
      sourceId: rule.sourceId,
      currentVersion: 0,
      origin,
      enabled: rule.enabled,
      createdAt: CLOCK_TIMESTAMP,
      updatedAt: CLOCK_TIMESTAMP,
    });
  }
  await manager.query('INSERT INTO rule_versions (rule_id, version, definition, checksum) VALUES ($1, $2, $3, $4)', [
    rule.id,
    version,
    JSON.stringify(rule.definition),
    rule.checksum,
  ]);
  await rules.update(
    { id: rule.id },
    { currentVersion: version, sourceId: rule.sourceId, enabled: rule.enabled, origin, updatedAt: CLOCK_TIMESTAMP },
  );
  return version;
}
