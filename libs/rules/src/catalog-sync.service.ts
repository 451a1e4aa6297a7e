import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { CatalogRepository, CatalogSyncResult } from '@hookflow/persistence';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RuleCatalog, RuleDefinition, SourceDefinition } from './rule-definitions';

/** Writes a loaded rules directory into the database: a new version per changed rule, removed ones disabled. */
@Injectable()
export class CatalogSyncService {
  private readonly logger = new Logger(CatalogSyncService.name);

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly catalog: CatalogRepository,
  ) {}

  /** Makes the database's YAML-managed sources and rules equal to a loaded directory. */
  async sync(catalog: RuleCatalog): Promise<CatalogSyncResult> {
    const result = await this.catalog.syncYamlCatalog(catalog.sources.map(toSourceRecord), catalog.rules.map(toRuleVersion));
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

function toSourceRecord(source: SourceDefinition): {
  id: string;
  provider: string;
  settings: Record<string, unknown>;
  secrets: string[];
  enabled: boolean;
} {
  const { id, provider, secrets, enabled, ...settings } = source;
  return { id, provider, settings, secrets: secrets ?? [], enabled: enabled ?? true };
}

function toRuleVersion(rule: RuleDefinition): {
  id: string;
  sourceId: string;
  enabled: boolean;
  definition: Record<string, unknown>;
  checksum: string;
} {
  const { enabled, ...definition } = rule;
  return { id: rule.id, sourceId: rule.source, enabled: enabled ?? true, definition: { ...definition }, checksum: checksum(definition) };
}

/** SHA-256 of the definition with keys sorted, so formatting and key order make no new version. */
function checksum(value: unknown): string {
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
