import { currentTraceCarrier } from '@hookflow/telemetry';
import { Job, JobsOptions, Queue } from 'bullmq';

/**
 * A BullMQ queue that puts the active trace context into each job's data (`trace`), so the worker
 * that takes the job continues the trace of the request or run that queued it. Every producer gets
 * this for free (ingest, the outbox sweeper, the engine's dispatch and retries, the admin API's
 * replays); data that already has `trace`, or no active trace, is queued unchanged.
 */
export class TracedQueue extends Queue {
  // `addJob` is BullMQ's hook for subclasses (`add` calls it); `addBulk` does not go through it.
  protected override addJob(name: string, data: unknown, opts?: JobsOptions): Promise<Job> {
    return super.addJob(name, withTraceContext(data), opts);
  }

  override addBulk(jobs: { name: string; data: unknown; opts?: JobsOptions }[]): Promise<Job[]> {
    return super.addBulk(jobs.map((job) => ({ ...job, data: withTraceContext(job.data) })));
  }
}

function withTraceContext(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || 'trace' in data) return data;
  const trace = currentTraceCarrier();
  return trace ? { ...data, trace } : data;
}
