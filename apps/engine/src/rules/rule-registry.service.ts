import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { ActiveRuleVersion, CatalogRepository } from '@hookflow/persistence';
import { CatalogCache, CompiledRule, compileRule, RuleDefinition } from '@hookflow/rules';
import { Inject, Injectable } from '@nestjs/common';

/** Older versions kept compiled for runs that retry after their rule changed. Bounded. */
const MAX_CACHED_VERSIONS = 1_000;

/** The enabled rules, compiled once per version, indexed by source for the per-event path. */
@Injectable()
export class RuleRegistry extends CatalogCache {
  private bySource = new Map<string, CompiledRule[]>();
  private readonly versions = new Map<string, CompiledRule>();

  constructor(@Inject(HOOKFLOW_CONFIG) config: HookflowConfig, catalog: CatalogRepository) {
    super(config, catalog);
  }

  /** Rules that may match an event of this source: its own and the `*` ones. */
  rulesFor(sourceId: string): readonly CompiledRule[] {
    return this.bySource.get(sourceId) ?? this.bySource.get('*') ?? [];
  }

  /** A specific version, current or not: a run keeps the version it was created with. */
  async version(ruleId: string, version: number): Promise<CompiledRule | undefined> {
    const cached = this.versions.get(versionKey(ruleId, version));
    if (cached) return cached;
    const stored = await this.catalog.ruleVersion(ruleId, version);
    if (!stored) return undefined;
    return this.compile({ ruleId, version, sourceId: String(stored.definition.source), definition: stored.definition });
  }

  protected async rebuild(): Promise<void> {
    const next = new Map<string, CompiledRule[]>();
    for (const active of await this.catalog.activeRuleVersions()) {
      try {
        const rule = this.compile(active);
        next.set(rule.sourceId, [...(next.get(rule.sourceId) ?? []), rule]);
      } catch (error) {
        this.logger.error(`rule "${active.ruleId}" v${active.version} does not compile and is not active: ${(error as Error).message}`);
      }
    }
    // Each source's list already holds the `*` rules, so the per-event lookup allocates nothing.
    const wildcard = next.get('*') ?? [];
    for (const [sourceId, rules] of next) if (sourceId !== '*') next.set(sourceId, [...rules, ...wildcard]);
    this.bySource = next;
  }

  private compile(active: ActiveRuleVersion): CompiledRule {
    const key = versionKey(active.ruleId, active.version);
    const cached = this.versions.get(key);
    if (cached) return cached;
    const rule = compileRule(active.ruleId, active.version, active.definition as unknown as RuleDefinition, this.config.rules.variables);
    if (this.versions.size >= MAX_CACHED_VERSIONS) this.versions.delete(this.versions.keys().next().value as string);
    this.versions.set(key, rule);
    return rule;
  }
}

const versionKey = (ruleId: string, version: number): string => `${ruleId}@${version}`;
