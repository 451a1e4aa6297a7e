import { RuleRow, RulesRepository, RuleVersionEntity } from '@hookflow/persistence';
import { ruleVersionInput } from '@hookflow/rules';
import { Injectable } from '@nestjs/common';
import { alreadyExists, idMismatch, managedByYaml } from '../catalog/catalog-errors';
import { ApiError } from '../errors/api-error';
import { decodeCursor, DEFAULT_PAGE_LIMIT, Page, PageQueryDto, pageOf } from '../pagination/page';
import { isPositiveInt4 } from '../validation/positive-int.pipe';
import { RuleQueryDto } from './rule.dto';
import { RuleVersionView, RuleView } from './rule.view';
import { RuleValidation } from './rule-validation.service';

/** Keysets name their listing, so another listing's cursor is refused. */
const isRuleKeyset = (value: unknown): value is { listing: 'rules'; id: string } => {
  const keyset = value as { listing?: unknown; id?: unknown } | null;
  return keyset?.listing === 'rules' && typeof keyset.id === 'string';
};
const isVersionKeyset = (value: unknown): value is { listing: 'rule-versions'; version: number } => {
  const keyset = value as { listing?: unknown; version?: unknown } | null;
  return keyset?.listing === 'rule-versions' && isPositiveInt4(keyset.version);
};

/**
 * Rules through the admin API: checked as a rules file checks them, versioned on every change
 * (an unchanged definition makes no version), read-only when they come from the rules directory.
 * Engines follow every change within HOOKFLOW_CONFIG_REFRESH (the catalog stamp).
 */
@Injectable()
export class RulesService {
  constructor(
    private readonly rules: RulesRepository,
    private readonly validation: RuleValidation,
  ) {}

  async list(query: RuleQueryDto): Promise<Page<RuleView>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const after = query.after === undefined ? undefined : decodeCursor(query.after, isRuleKeyset).id;
    const rows = await this.rules.list({ limit: limit + 1, after, origin: query.origin, enabled: query.enabled, source: query.source });
    return pageOf(rows, limit, (row) => ({ listing: 'rules', id: row.id }), toView);
  }

  async get(id: string): Promise<RuleView> {
    return toView(await this.existing(id));
  }

  async create(body: unknown): Promise<RuleView> {
    const rule = await this.validation.validate(body, { checkDatabase: true });
    const existing = await this.rules.find(rule.id);
    if (existing) throw existing.origin === 'yaml' ? managedByYaml('rule', rule.id) : alreadyExists('rule', rule.id);
    const created = await this.rules.create(ruleVersionInput(rule));
    if (!created) throw alreadyExists('rule', rule.id);
    return toView(created);
  }

  /** A changed definition becomes the next version; the same one changes nothing. `enabled` absent keeps the state. */
  async update(id: string, body: unknown): Promise<RuleView> {
    await this.editable(id);
    const written = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    if (written?.id !== undefined && written.id !== id) throw idMismatch('rule', id);
    const rule = await this.validation.validate(written ? { ...written, id } : body, { checkDatabase: true });
    const { sourceId, definition, checksum } = ruleVersionInput(rule);
    const saved = await this.rules.update(id, { sourceId, definition, checksum, enabled: rule.enabled });
    if (!saved) throw ApiError.notFound('rule', id);
    return toView(saved.rule);
  }

  async setEnabled(id: string, enabled: boolean): Promise<RuleView> {
    await this.editable(id);
    const updated = await this.rules.setEnabled(id, enabled);
    if (!updated) throw ApiError.notFound('rule', id);
    return toView(updated);
  }

  /** Deletes a rule that never ran; one with runs keeps its history (pause it instead). */
  async delete(id: string): Promise<void> {
    await this.editable(id);
    const deletion = await this.rules.delete(id);
    if (deletion.status === 'not_found') throw ApiError.notFound('rule', id);
    if (deletion.status === 'has_runs') {
      throw ApiError.conflict(
        'rule_in_use',
        `rule "${id}" has runs, which keep the version they ran for review and replay: pause it instead (POST /rules/${id}/pause)`,
      );
    }
  }

  async versions(id: string, query: PageQueryDto): Promise<Page<RuleVersionView>> {
    const rule = await this.existing(id);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const before = query.after === undefined ? undefined : decodeCursor(query.after, isVersionKeyset).version;
    const versions = await this.rules.versions(id, { limit: limit + 1, before });
    return pageOf(
      versions,
      limit,
      (version) => ({ listing: 'rule-versions', version: version.version }),
      (version) => toVersionView(version, rule),
    );
  }

  async version(id: string, version: number): Promise<RuleVersionView> {
    const rule = await this.existing(id);
    const stored = await this.rules.version(id, version);
    if (!stored) throw ApiError.notFound(`version of rule "${id}"`, String(version));
    return toVersionView(stored, rule);
  }

  /** The rule with its current version, or a 404. */
  async existing(id: string): Promise<RuleRow> {
    const rule = await this.rules.find(id);
    if (!rule) throw ApiError.notFound('rule', id);
    return rule;
  }

  private async editable(id: string): Promise<RuleRow> {
    const rule = await this.existing(id);
    if (rule.origin === 'yaml') throw managedByYaml('rule', id);
    return rule;
  }
}

function toView(row: RuleRow): RuleView {
  return {
    id: row.id,
    source: row.sourceId,
    enabled: row.enabled,
    origin: row.origin,
    version: row.version,
    definition: row.definition,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toVersionView(version: RuleVersionEntity, rule: RuleRow): RuleVersionView {
  return {
    version: version.version,
    current: version.version === rule.version,
    checksum: version.checksum,
    definition: version.definition,
    createdAt: version.createdAt.toISOString(),
  };
}
