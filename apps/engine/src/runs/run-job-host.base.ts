import { HookflowConfig } from '@hookflow/config';
import { RunJob } from '@hookflow/queue';
import { continueTrace, HookflowAttributes, SpanKind } from '@hookflow/telemetry';
import { Job } from 'bullmq';
import { EngineWorkerHost } from '../worker-host.base';
import { RunExecutor } from './run-executor.service';

/**
 * Thin adapter shared by the queues that execute runs (`runs`, `replays`): a job executes one run,
 * in a span that continues the trace of whatever queued it (the dispatch, a replay, or the
 * execution before a retry). Step failures are recorded and retried by the executor; an error here
 * means the platform failed (database away), and BullMQ retries the job.
 */
export abstract class RunJobHost extends EngineWorkerHost {
  protected constructor(
    private readonly executor: RunExecutor,
    config: HookflowConfig,
  ) {
    super(config);
  }

  async process(job: Job<RunJob>): Promise<void> {
    const { runId, execution, trace } = job.data;
    const attributes = { [HookflowAttributes.RUN_ID]: runId, [HookflowAttributes.RUN_EXECUTION]: execution };
    await continueTrace(trace, 'hookflow.run', { kind: SpanKind.CONSUMER, attributes }, async () => {
      try {
        await this.executor.execute(runId, execution);
      } catch (error) {
        if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw error;
        await this.executor.giveUp(runId, error); // last try: record it rather than leave the run stuck
      }
    });
  }
}
