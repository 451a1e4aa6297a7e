import type { TraceCarrier } from '@hookflow/telemetry';
import type { JobsOptions } from 'bullmq';

/** Committed events waiting to be matched against rules. Job id = event id. */
export const EVENTS_QUEUE = 'events';
/** Runs that dispatch made, to execute (first tries and retries). Job id = `<run id>-<execution>`. */
export const RUNS_QUEUE = 'runs';
/**
 * Runs that operators made (replays of a dead letter, in bulk, of an event), first tries and
 * retries: a queue of their own, with its own concurrency and rate, so that replaying thousands of
 * dead letters never delays live runs. Same job ({@link ReplayJob}) and job ids as `runs`.
 */
export const REPLAYS_QUEUE = 'replays';

/** The queues whose jobs execute runs. */
export type RunQueueName = typeof RUNS_QUEUE | typeof REPLAYS_QUEUE;
export const RUN_QUEUES: readonly RunQueueName[] = [RUNS_QUEUE, REPLAYS_QUEUE];

/**
 * The queue every job of a run goes to, its first try and each retry alike: replays (`replay` > 0)
 * stay on `replays`, so a failing replay batch keeps out of the live queue even while it retries.
 */
export const runQueueOf = (run: { replay: number }): RunQueueName => (run.replay > 0 ? REPLAYS_QUEUE : RUNS_QUEUE);

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

/** A job of the replays queue: one execution of a replay run, exactly as a {@link RunJob}. */
export type ReplayJob = RunJob;

export const eventJobId = (eventId: string): string => eventId;
// BullMQ refuses ':' in custom ids; '-' keeps them readable. Ids are unique per queue, and a run
// only ever uses one queue (runQueueOf), so one execution of a run is at most one job.
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
export const REPLAY_JOB_OPTIONS: JobsOptions = INFRASTRUCTURE_RETRIES;
