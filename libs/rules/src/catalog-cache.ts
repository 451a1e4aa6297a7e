import { HookflowConfig } from '@hookflow/config';
import { CatalogRepository } from '@hookflow/persistence';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * Base of the in-memory views of the catalog (sources in ingest, compiled rules in the engine).
 * They are rebuilt whenever the catalog changes, checked every HOOKFLOW_CONFIG_REFRESH, so every
 * process follows a change made by another without a query per delivery.
 */
export abstract class CatalogCache implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private stamp = '';
  private timer?: NodeJS.Timeout;

  protected constructor(
    protected readonly config: HookflowConfig,
    protected readonly catalog: CatalogRepository,
  ) {}

  /** Reads the catalog and replaces the in-memory view. */
  async reload(): Promise<void> {
    const stamp = await this.catalog.catalogStamp();
    await this.rebuild();
    this.stamp = stamp;
  }

  protected abstract rebuild(): Promise<void>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refreshIfChanged(), this.config.rules.refreshIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async refreshIfChanged(): Promise<void> {
    try {
      if ((await this.catalog.catalogStamp()) !== this.stamp) await this.reload();
    } catch (error) {
      this.logger.warn(`could not refresh from the catalog, keeping what is loaded: ${(error as Error).message}`);
    }
  }
}
