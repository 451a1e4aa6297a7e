import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { CatalogSyncResult } from '@hookflow/persistence';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { FSWatcher, watch } from 'node:fs';
import { CatalogSyncService } from './catalog-sync.service';
import { LoadedRules } from './rule-definitions';
import { RULES_CHECKS, RulesCheck } from './rules-check';
import { loadRulesDirectory } from './rules-directory.loader';
import { byPosition, formatProblem, RulesProblem, RulesValidationError } from './rules-validation.error';

/** Told of every directory that loaded, checked and synced: the app's in-memory views follow it. */
export type RulesListener = (rules: LoadedRules) => Promise<void> | void;

/** How the last reload went; a failed one leaves the rules of the last good one running. */
export type RulesReloadOutcome =
  | { status: 'reloaded'; trigger: string; result: CatalogSyncResult }
  | { status: 'rejected'; trigger: string; problems: RulesProblem[] }
  | { status: 'failed'; trigger: string; error: string };

/** Editors write a file in several steps; one reload follows the last of them. */
const WATCH_DEBOUNCE_MS = 300;

/**
 * Owns the rules directory: loads, checks and syncs it at start-up (a bad directory stops the
 * start), then again on SIGHUP or, with HOOKFLOW_RULES_WATCH, when a file in it changes. A bad edit
 * is reported and changes nothing: the database, and so every process, keeps the last good rules.
 */
@Injectable()
export class RulesDirectoryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RulesDirectoryService.name);
  private readonly listeners: RulesListener[] = [];
  private readonly checks: readonly RulesCheck[];
  private queue: Promise<unknown> = Promise.resolve();
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;
  private lastOutcome?: RulesReloadOutcome;
  private readonly onSighup = (): void => void this.reload('SIGHUP');

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly catalogSync: CatalogSyncService,
    @Optional() @Inject(RULES_CHECKS) checks?: RulesCheck[],
  ) {
    this.checks = checks ?? [];
  }

  /** Registers a view to refresh after each good load, in registration order. */
  onLoaded(listener: RulesListener): void {
    this.listeners.push(listener);
  }

  /** Start-up: throws {@link RulesValidationError} when the directory is bad. */
  load(): Promise<CatalogSyncResult> {
    return this.serialized(() => this.apply());
  }

  /** Reloads the directory; never throws. A bad directory is logged and the last good rules stay. */
  reload(trigger: string): Promise<RulesReloadOutcome> {
    return this.serialized(async () => {
      this.lastOutcome = await this.apply().then(
        (result): RulesReloadOutcome => ({ status: 'reloaded', trigger, result }),
        (error: unknown): RulesReloadOutcome => this.rejection(trigger, error),
      );
      return this.lastOutcome;
    });
  }

  /** The outcome of the latest reload, if any happened since start-up. */
  get lastReload(): RulesReloadOutcome | undefined {
    return this.lastOutcome;
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onSighup);
    if (this.config.rules.watch) this.watchDirectory();
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onSighup);
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  private async apply(): Promise<CatalogSyncResult> {
    const rules = loadRulesDirectory(this.config.rules.dir, this.config.rules.variables);
    const checked = await Promise.all(this.checks.map((check) => check.check(rules)));
    for (const warning of checked.flatMap((result) => result.warnings)) this.logger.warn(warning);
    const problems = checked.flatMap((result) => result.problems);
    if (problems.length > 0) throw new RulesValidationError(problems.sort(byPosition));
    const result = await this.catalogSync.sync(rules);
    for (const listener of this.listeners) await listener(rules);
    return result;
  }

  private rejection(trigger: string, error: unknown): RulesReloadOutcome {
    if (error instanceof RulesValidationError) {
      this.logger.error(
        `rules directory not reloaded (${trigger}), the last good rules keep running:\n${error.problems.map(formatProblem).join('\n')}`,
      );
      return { status: 'rejected', trigger, problems: error.problems };
    }
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`rules directory not reloaded (${trigger}), the last good rules keep running: ${message}`);
    return { status: 'failed', trigger, error: message };
  }

  private watchDirectory(): void {
    try {
      this.watcher = watch(this.config.rules.dir, { recursive: true }, () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.reload('file change'), WATCH_DEBOUNCE_MS);
      });
      this.watcher.on('error', (error) => this.logger.warn(`stopped watching ${this.config.rules.dir}: ${error.message}`));
      this.logger.log(`watching ${this.config.rules.dir} for changes`);
    } catch (error) {
      this.logger.warn(`cannot watch ${this.config.rules.dir} (SIGHUP still reloads): ${(error as Error).message}`);
    }
  }

  /** One load at a time, in the order asked: two quick edits never sync out of order. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
