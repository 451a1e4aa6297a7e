import { RUNS_QUEUE, RunJob } from '@hookflow/queue';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { RunExecutor } from './run-executor.service';

/**
 * Thin adapter: a `runs` job executes one run. Step failures are recorded and retried by the
 * executor; an error here means the platform failed (database away), and BullMQ retries the job.
 */
@Processor(RUNS_QUEUE)
export class RunsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly executor: RunExecutor,
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.engine.concurrency;
  }

  async process(job: Job<RunJob>): Promise<void> {
    await this.executor.execute(job.data.runId, job.data.execution);
  }
}
