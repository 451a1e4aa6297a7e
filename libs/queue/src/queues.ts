import type { TraceCarrier } from '@hookflow/telemetry';
import type { JobsOptions } from 'bullmq';

/** Committed events waiting to be matched against rules. Job id = event id. */
export const EVENTS_QUEUE = 'events';
/** Runs to execute (first tries and retries). Job id = `<run id>-<execution>`. */
export const RUNS_QUEUE = 'runs';

export interface EventJob {
  eventId: string;
  /** The W3C trace context of the ingest request; added by {@link TracedQueue}, absent from older jobs. */
  trace?: TraceCarrier;
}

export interface RunJob {
  runId: string;
  /** Which execution of the run this job is; a stale duplicate finds a later one recorded and stops. */
  execution: number;
  /** The W3C trace context of the dispatch or run that queued it; added by {@link TracedQueue}, absent from older jobs. */
  trace?: TraceCarrier;
}

export const eventJobId = (eventId: string): string => eventId;
// BullMQ refuses ':' in custom ids; '-' keeps them readable.
export const runJobId = (runId: string, execution: number): string => `${runId}-${execution}`;

/**
 * A job only fails for infrastructure reasons (the database unreachable, say); step failures are
 * recorded and retried by the engine itself. So these retries are about the platform recovering.
 */
const INFRASTRUCTURE_RETRIES: JobsOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

export const EVENT_JOB_OPTIONS: JobsOptions = INFRASTRUCTURE_RETRIES;
export const RUN_JOB_OPTIONS: JobsOptions = INFRASTRUCTURE_RETRIES;
