import { HookflowConfig } from '@hookflow/config';
import { WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';

/** Quiet period between two logs of a worker's connection errors (Redis restarts are expected). */
const ERROR_LOG_QUIET_MS = 10_000;

/**
 * What every engine processor shares: its concurrency (HOOKFLOW_ENGINE_CONCURRENCY unless the
 * processor says otherwise), and a listener for worker errors, logged once per quiet period
 * instead of thrown or printed per retry.
 */
export abstract class EngineWorkerHost extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(this.constructor.name);
  private lastErrorLoggedAt = 0;

  protected constructor(protected readonly engineConfig: HookflowConfig) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.concurrency(this.engineConfig);
    this.worker.on('error', (error) => {
      if (Date.now() - this.lastErrorLoggedAt < ERROR_LOG_QUIET_MS) return;
      this.lastErrorLoggedAt = Date.now();
      this.logger.warn(`worker ${this.worker.name}: ${error.message} (Redis unreachable? retrying)`);
    });
  }

  /** How many jobs of this queue one engine process runs at once. */
  protected concurrency(config: HookflowConfig): number {
    return config.engine.concurrency;
  }
}
