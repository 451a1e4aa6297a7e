import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { ActiveRuleVersion, CatalogRepository, SYSTEM_SOURCE_ID } from '@hookflow/persistence';
import { CatalogCache, CompiledRule, compileRule, RuleDefinition } from '@hookflow/rules';
import { Inject, Injectable } from '@nestjs/common';

/** Older versions kept compiled for runs that retry after their rule changed. Bounded; active versions are always kept. */
const MAX_CACHED_OLD_VERSIONS = 1_000;

/** The enabled rules, compiled once per version, indexed by source for the per-event path. */
@Injectable()
export class RuleRegistry extends CatalogCache {
  private bySource = new Map<string, CompiledRule[]>();
  /** The current version of every enabled rule, however many there are. */
  private active = new Map<string, CompiledRule>();
  /** Versions no longer current that a run still asked for, oldest first. */
  private readonly oldVersions = new Map<string, CompiledRule>();

  constructor(@Inject(HOOKFLOW_CONFIG) config: HookflowConfig, catalog: CatalogRepository) {
    super(config, catalog);
  }

  /**
   * Rules that may match an event of this source: its own and the `*` ones. Hookflow's own events
   * go to the rules that name `hookflow` only: a `*` rule written for deliveries would otherwise
   * run (and maybe fail) on every alert.
   */
  rulesFor(sourceId: string): readonly CompiledRule[] {
    if (sourceId === SYSTEM_SOURCE_ID) return this.bySource.get(SYSTEM_SOURCE_ID) ?? [];
    return this.bySource.get(sourceId) ?? this.bySource.get('*') ?? [];
  }

  /** Whether some enabled rule takes Hookflow's own events: when none does, they are not emitted. */
  hasSystemRules(): boolean {
    return (this.bySource.get(SYSTEM_SOURCE_ID)?.length ?? 0) > 0;
  }

  /** A specific version, current or not: a run keeps the version it was created with. */
  async version(ruleId: string, version: number): Promise<CompiledRule | undefined> {
    const key = versionKey(ruleId, version);
    const cached = this.active.get(key) ?? this.oldVersions.get(key);
    if (cached) return cached;
    const stored = await this.catalog.ruleVersion(ruleId, version);
    if (!stored) return undefined;
    const rule = this.compile({ ruleId, version, sourceId: String(stored.definition.source), definition: stored.definition });
    if (this.oldVersions.size >= MAX_CACHED_OLD_VERSIONS) this.oldVersions.delete(this.oldVersions.keys().next().value as string);
    this.oldVersions.set(key, rule);
    return rule;
  }

  protected async rebuild(): Promise<void> {
    const next = new Map<string, CompiledRule[]>();
    const nextActive = new Map<string, CompiledRule>();
    for (const active of await this.catalog.activeRuleVersions()) {
      try {
        const key = versionKey(active.ruleId, active.version);
        // A version compiled before (active, or asked for by a run) is reused, not compiled again.
        const rule = this.active.get(key) ?? this.oldVersions.get(key) ?? this.compile(active);
        this.oldVersions.delete(key);
        nextActive.set(key, rule);
        next.set(rule.sourceId, [...(next.get(rule.sourceId) ?? []), rule]);
      } catch (error) {
        this.logger.error(`rule "${active.ruleId}" v${active.version} does not compile and is not active: ${(error as Error).message}`);
      }
    }
    // Each source's list already holds the `*` rules, so the per-event lookup allocates nothing.
    const wildcard = next.get('*') ?? [];
    for (const [sourceId, rules] of next)
      if (sourceId !== '*' && sourceId !== SYSTEM_SOURCE_ID) next.set(sourceId, [...rules, ...wildcard]);
    // Versions that stop being current stay compiled a while, for runs of theirs that still retry.
    for (const [key, rule] of this.active) {
      if (nextActive.has(key)) continue;
      if (this.oldVersions.size >= MAX_CACHED_OLD_VERSIONS) this.oldVersions.delete(this.oldVersions.keys().next().value as string);
      this.oldVersions.set(key, rule);
    }
    this.active = nextActive;
    this.bySource = next;
  }

  private compile(active: ActiveRuleVersion): CompiledRule {
    return compileRule(active.ruleId, active.version, active.definition as unknown as RuleDefinition, this.config.rules.variables);
  }
}

const versionKey = (ruleId: string, version: number): string => `${ruleId}@${version}`;
