import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { REPLAYS_QUEUE } from '@hookflow/queue';
import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { RunExecutor } from './run-executor.service';
import { RunJobHost } from './run-job-host.base';

/**
 * Executes operators' replays exactly as live runs (the same executor), on their own queue:
 * HOOKFLOW_REPLAY_CONCURRENCY at a time in each engine, and at most HOOKFLOW_REPLAY_RATE across
 * all of them, so that a bulk replay of thousands of dead letters never takes the slots of live runs.
 */
// Not started with the app (autorun off): its rate limiter must be in place before it takes a job.
@Processor(REPLAYS_QUEUE, { autorun: false })
export class ReplaysProcessor extends RunJobHost {
  constructor(executor: RunExecutor, @Inject(HOOKFLOW_CONFIG) config: HookflowConfig) {
    super(executor, config);
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    const { rate } = this.engineConfig.engine.replays;
    // @Processor's options are fixed where the class is declared, and the rate is configuration, so
    // it goes into the worker's options here, before the worker starts; BullMQ passes `limiter` to
    // Redis with every fetch, and counts against it in Redis: the rate holds across all engines.
    this.worker.opts.limiter = rate ? { max: rate.max, duration: rate.durationMs } : undefined;
    this.worker.run().catch((error: Error) => this.worker.emit('error', error));
  }

  protected override concurrency(config: HookflowConfig): number {
    return config.engine.replays.concurrency;
  }
}
