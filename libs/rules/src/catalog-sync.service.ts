import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { CatalogOwnershipError, CatalogRepository, CatalogSyncResult, RuleVersionInput, YamlSourceInput } from '@hookflow/persistence';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RuleCatalog, RuleDefinition, SourceDefinition } from './rule-definitions';
import { RulesValidationError } from './rules-validation.error';

/** Writes a loaded rules directory into the database: a new version per changed rule, removed ones disabled. */
@Injectable()
export class CatalogSyncService {
  private readonly logger = new Logger(CatalogSyncService.name);

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly catalog: CatalogRepository,
  ) {}

  /**
   * Makes the database's YAML-managed sources and rules equal to a loaded directory. A directory
   * that defines an id created through the admin API is refused ({@link RulesValidationError}).
   */
  async sync(catalog: RuleCatalog): Promise<CatalogSyncResult> {
    const result = await this.catalog
      .syncYamlCatalog(catalog.sources.map(sourceInput), catalog.rules.map(ruleVersionInput))
      .catch((error: unknown) => {
        if (!(error instanceof CatalogOwnershipError)) throw error;
        throw new RulesValidationError([
          ...error.sourceIds.map((id) => ({ file: this.config.rules.dir, message: apiOwned('source', id) })),
          ...error.ruleIds.map((id) => ({ file: this.config.rules.dir, message: apiOwned('rule', id) })),
        ]);
      });
    for (const source of catalog.sources) {
      if (source.provider === 'none' && source.enabled !== false) {
        this.logger.warn(`source "${source.id}" has provider "none": anyone who knows its URL can post events to it`);
      }
    }
    this.logger.log(
      `rules directory ${this.config.rules.dir}: ${catalog.sources.length} sources, ${catalog.rules.length} rules` +
        (result.rulesVersioned.length > 0
          ? `, new versions: ${result.rulesVersioned.map((rule) => `${rule.id}@${rule.version}`).join(', ')}`
          : '') +
        (result.rulesDisabled.length + result.sourcesDisabled.length > 0
          ? `, disabled: ${[...result.sourcesDisabled, ...result.rulesDisabled].join(', ')}`
          : ''),
    );
    return result;
  }
}

function apiOwned(kind: 'source' | 'rule', id: string): string {
  return `${kind} "${id}" was created through the admin API: rename it in the file, or delete it through the API (DELETE /${kind}s/${id}) first`;
}

/** A source definition as the catalog stores it: secrets apart from the other settings. */
export function sourceInput(source: SourceDefinition): YamlSourceInput {
  const { id, provider, secrets, enabled, ...settings } = source;
  return { id, provider, settings, secrets: secrets ?? [], enabled: enabled ?? true };
}

/** A rule definition as the catalog stores it (its `enabled` is state, not definition), with its checksum. */
export function ruleVersionInput(rule: RuleDefinition): RuleVersionInput {
  const { enabled, ...definition } = rule;
  return {
    id: rule.id,
    sourceId: rule.source,
    enabled: enabled ?? true,
    definition: { ...definition },
    checksum: definitionChecksum(definition),
  };
}

/** SHA-256 of the definition with keys sorted, so formatting and key order make no new version. */
function definitionChecksum(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
