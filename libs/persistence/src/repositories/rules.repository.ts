import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DefinitionOrigin, isApiWritable, RuleVersionEntity } from '../entities';
import { CLOCK_TIMESTAMP, lockCatalog, RuleVersionInput, saveRuleVersion } from './catalog-writes';
import { CatalogPageQuery } from './sources.repository';

/** A rule with its current version, as the admin API shows it. */
export interface RuleRow {
  id: string;
  sourceId: string;
  enabled: boolean;
  origin: DefinitionOrigin;
  version: number;
  definition: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface RulePageQuery extends CatalogPageQuery {
  source?: string;
}

/** A page of a rule's versions, newest first: at most `limit` versions older than `before`. */
export interface VersionPageQuery {
  limit: number;
  before?: number;
}

export type RuleDeletion = { status: 'deleted' } | { status: 'not_found' } | { status: 'has_runs' };

const FOREIGN_KEY_VIOLATION = '23503';

const RULE_COLUMNS = `r.id, r.source_id, r.enabled, r.origin, r.current_version, v.definition, r.created_at, r.updated_at`;

interface RawRule {
  id: string;
  source_id: string;
  enabled: boolean;
  origin: DefinitionOrigin;
  current_version: number;
  definition: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/**
 * Rules created and edited through the admin API (origin 'api'). A changed definition makes a new
 * version (the checksum decides, as for a rules directory); writes take the catalog write lock and
 * apply to origin 'api' rows only.
 */
@Injectable()
export class RulesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: RulePageQuery): Promise<RuleRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (condition: string, value: unknown): void => {
      params.push(value);
      conditions.push(condition.replace('?', `$${params.length}`));
    };
    if (query.after !== undefined) where('r.id > ?', query.after);
    if (query.origin !== undefined) where('r.origin = ?', query.origin);
    if (query.enabled !== undefined) where('r.enabled = ?', query.enabled);
    if (query.source !== undefined) where('r.source_id = ?', query.source);
    params.push(query.limit);
    const rows = await this.dataSource.query<RawRule[]>(
      `SELECT ${RULE_COLUMNS} FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY r.id LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRow);
  }

  find(id: string): Promise<RuleRow | undefined> {
    return this.findWith(this.dataSource.manager, id);
  }

  /** Creates an API rule at version 1; undefined when the id is taken. */
  async create(rule: RuleVersionInput): Promise<RuleRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      const [taken] = await manager.query<unknown[]>('SELECT 1 FROM rules WHERE id = $1', [rule.id]);
      if (taken) return undefined;
      await saveRuleVersion(manager, rule, 'api');
      return this.findWith(manager, rule.id);
    });
  }

  /**
   * Saves an API rule's definition: a new version when it changed. `enabled` undefined keeps the
   * rule's state. Undefined when there is no such API rule.
   */
  async update(
    id: string,
    rule: Omit<RuleVersionInput, 'id' | 'enabled'> & { enabled?: boolean },
  ): Promise<{ rule: RuleRow; versioned: boolean } | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      const existing = await this.findWith(manager, id);
      if (!existing || !isApiWritable(existing.origin)) return undefined;
      const version = await saveRuleVersion(manager, { ...rule, id, enabled: rule.enabled ?? existing.enabled }, 'api');
      const saved = await this.findWith(manager, id);
      return saved ? { rule: saved, versioned: version !== undefined } : undefined;
    });
  }

  /** Pauses or resumes an API rule; undefined when there is no such API rule. */
  async setEnabled(id: string, enabled: boolean): Promise<RuleRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await lockCatalog(manager);
      await manager.query(
        `UPDATE rules SET enabled = $2, origin = 'api', updated_at = ${CLOCK_TIMESTAMP()} WHERE id = $1 AND origin <> 'yaml' AND (enabled <> $2 OR origin <> 'api')`,
        [id, enabled],
      );
      const rule = await this.findWith(manager, id);
      return rule && isApiWritable(rule.origin) ? rule : undefined;
    });
  }

  /** A rule's versions, newest first. */
  versions(id: string, query: VersionPageQuery): Promise<RuleVersionEntity[]> {
    const builder = this.dataSource
      .getRepository(RuleVersionEntity)
      .createQueryBuilder('version')
      .where('version.ruleId = :id', { id })
      .orderBy('version.version', 'DESC')
      .limit(query.limit);
    if (query.before !== undefined) builder.andWhere('version.version < :before', { before: query.before });
    return builder.getMany();
  }

  async version(id: string, version: number): Promise<RuleVersionEntity | undefined> {
    return (await this.dataSource.getRepository(RuleVersionEntity).findOneBy({ ruleId: id, version })) ?? undefined;
  }

  /**
   * Deletes an API rule that never ran, with its versions. A rule with runs is kept: the runs name
   * the version they ran (foreign key RESTRICT), so their history stays reviewable.
   */
  async delete(id: string): Promise<RuleDeletion> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await lockCatalog(manager);
        const [runs] = await manager.query<{ exists: boolean }[]>('SELECT EXISTS (SELECT 1 FROM runs WHERE rule_id = $1) AS exists', [id]);
        if (runs?.exists) return { status: 'has_runs' };
        const [deleted] = await manager.query<[unknown[], number]>(`DELETE FROM rules WHERE id = $1 AND origin <> 'yaml' RETURNING id`, [
          id,
        ]);
        return deleted.length > 0 ? { status: 'deleted' } : { status: 'not_found' };
      });
    } catch (error) {
      // A run was created between the check and the delete.
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) return { status: 'has_runs' };
      throw error;
    }
  }

  private async findWith(manager: EntityManager, id: string): Promise<RuleRow | undefined> {
    const [row] = await manager.query<RawRule[]>(
      `SELECT ${RULE_COLUMNS} FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version WHERE r.id = $1`,
      [id],
    );
    return row ? toRow(row) : undefined;
  }
}

function toRow(row: RawRule): RuleRow {
  return {
    id: row.id,
    sourceId: row.source_id,
    enabled: row.enabled,
    origin: row.origin,
    version: row.current_version,
    definition: row.definition,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
