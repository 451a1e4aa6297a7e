import { HookflowConfig } from '@hookflow/config';
import { HookflowWorker } from '@hookflow/queue';
import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';

/** Quiet period between two logs of a worker's connection errors (Redis restarts are expected). */
const ERROR_LOG_QUIET_MS = 10_000;

/**
 * What every engine processor shares: its concurrency (HOOKFLOW_ENGINE_CONCURRENCY unless the
 * processor says otherwise), a listener for worker errors, logged once per quiet period instead of
 * thrown or printed per retry, and a graceful stop.
 */
export abstract class EngineWorkerHost extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
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

  /**
   * Before anything closes (the database pool closes in the shutdown hooks that follow): stop taking
   * jobs, let those running finish for up to HOOKFLOW_SHUTDOWN_GRACE, and hand the rest back to the
   * queue so another engine takes them at once. Without this, @nestjs/bullmq closes workers in its
   * shutdown hook, waiting for running jobs without a bound, possibly after the pool is gone.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.startedWorker();
    if (!(worker instanceof HookflowWorker)) return; // not started, or not Hookflow's: @nestjs/bullmq closes it
    const running = worker.jobsInFlight;
    const handedBack = await worker.shutDown(this.engineConfig.shutdown.graceMs);
    if (handedBack > 0) {
      this.logger.warn(`worker ${worker.name}: handed ${handedBack} running job(s) back to the queue after the shutdown grace`);
    } else if (running > 0) {
      this.logger.log(`worker ${worker.name}: finished ${running} running job(s) before stopping`);
    }
  }

  private startedWorker(): unknown {
    try {
      return this.worker;
    } catch {
      return undefined; // WorkerHost throws when its worker was never made (start-up failed first)
    }
  }

  /** How many jobs of this queue one engine process runs at once. */
  protected concurrency(config: HookflowConfig): number {
    return config.engine.concurrency;
  }
}
