import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { RUNS_QUEUE } from '@hookflow/queue';
import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { RunExecutor } from './run-executor.service';
import { RunJobHost } from './run-job-host.base';

/** Executes the runs dispatch made (live traffic), HOOKFLOW_ENGINE_CONCURRENCY at a time. */
@Processor(RUNS_QUEUE)
export class RunsProcessor extends RunJobHost {
  constructor(executor: RunExecutor, @Inject(HOOKFLOW_CONFIG) config: HookflowConfig) {
    super(executor, config);
  }
}
