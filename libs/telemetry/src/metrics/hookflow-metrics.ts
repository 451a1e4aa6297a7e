import { Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How an ingest request ended, as `outcome` of `hookflow_ingest_requests_total`. */
/** `ignored`: stored but of a type its source does not allow (reason `event_type_not_allowed`), so nothing runs. */
export type DeliveryOutcome = 'accepted' | 'ignored' | 'duplicate' | 'handshake' | 'rejected' | 'unavailable' | 'error';
/** The label of `hookflow_ingest_requests_total` for a source id that names no enabled source. */
export const UNKNOWN_SOURCE = '_unknown';
export type RunFinalStatus = 'succeeded' | 'failed';
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

/**
 * What became of one of Hookflow's own events, as `outcome` of `hookflow_system_events_total`:
 * stored and queued, `coalesced` into one of the same kind and subject in the window, or `failed` to be stored.
 */
export type SystemEventOutcome = 'emitted' | 'coalesced' | 'failed';

/** The tables the retention pruner deletes from, as `table` of `hookflow_retention_pruned_rows_total`. */
export type RetentionTable = 'events' | 'runs' | 'step_attempts' | 'dead_letters';

export interface DeliveryRecord {
  /** A configured source id, or {@link UNKNOWN_SOURCE}: never an id taken from the URL unchecked. */
  source: string;
  outcome: DeliveryOutcome;
  /** The reason code of a refusal (`signature_mismatch`, `body_too_large`, …); empty otherwise. */
  reason: string;
  status: number;
  seconds: number;
}

/** Reads a value at scrape time (queue depth, dead letters pending) and sets its gauge. */
export type ScrapeProbe = () => Promise<void> | void;

/** A probe that has not answered within this is left out of the scrape rather than stalling it. */
const PROBE_TIMEOUT_MS = 2_000;
const INGEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

let processRegistry: Registry | undefined;

/**
 * The process's own metrics (CPU, memory, event loop lag, GC), collected once per process: apps
 * that share one (single-node mode, tests) each show them without observing the process twice.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Hookflow's Prometheus metrics, one set per app. Labels are bounded: source ids, rule ids and
 * step types are operator-defined and few; event ids, run ids and URLs never become labels.
 * Counters and histograms are recorded as things happen; gauges that describe shared state (queue
 * depth, dead letters pending, open circuits, what the pull feed holds back) are read by probes
 * when /metrics is scraped.
 */
export class HookflowMetrics {
  private readonly logger = new Logger('Metrics');
  private readonly registry = new Registry();
  private readonly probes: ScrapeProbe[] = [];
  /** This app's metrics and the process's, as one scrape. */
  private readonly exposed: Registry;

  private readonly ingestRequests = new Counter({
    name: 'hookflow_ingest_requests_total',
    help: 'Deliveries to POST /hooks/:source, by source, outcome, reason code of a refusal and HTTP status.',
    labelNames: ['source', 'outcome', 'reason', 'status'] as const,
    registers: [this.registry],
  });
  private readonly ingestDuration = new Histogram({
    name: 'hookflow_ingest_request_duration_seconds',
    help: 'Time from receiving a delivery to answering it, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: INGEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: 'hookflow_runs_total',
    help: 'Runs that finished, by rule and final status (failed: dead-lettered).',
    labelNames: ['rule', 'status'] as const,
    registers: [this.registry],
  });
  private readonly stepDuration = new Histogram({
    name: 'hookflow_step_duration_seconds',
    help: 'Duration of each step attempt, by step type and result.',
    labelNames: ['type', 'status'] as const,
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'hookflow_step_retries_total',
    help: 'Retries scheduled after a failed step attempt, by rule.',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  private readonly deferrals = new Counter({
    name: 'hookflow_run_deferrals_total',
    help: 'Times a run was put off without an attempt because its destination circuit was open, by rule.',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  private readonly retentionPruned = new Counter({
    name: 'hookflow_retention_pruned_rows_total',
    help: 'Rows the retention pruner deleted, by table (events, and the runs, step_attempts and dead_letters that went with them).',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  private readonly systemEvents = new Counter({
    name: 'hookflow_system_events_total',
    help: "Hookflow's own events (source hookflow), by type and outcome (emitted, coalesced into an earlier one of the window, failed).",
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly queueJobs = new Gauge({
    name: 'hookflow_queue_jobs',
    help: 'Jobs in each BullMQ queue, by state (read from Redis at scrape time).',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  private readonly deadLettersPending = new Gauge({
    name: 'hookflow_dead_letters_pending',
    help: 'Dead letters waiting for review or replay (read from PostgreSQL at scrape time).',
    registers: [this.registry],
  });
  private readonly openCircuits = new Gauge({
    name: 'hookflow_circuit_breakers_open',
    help: 'Destinations whose circuit is open or half-open in this engine process.',
    registers: [this.registry],
  });
  private readonly feedHeldEvents = new Gauge({
    name: 'hookflow_feed_held_events',
    help:
      'Committed events the pull feed (GET /events?order=asc) does not serve yet because an older transaction in the ' +
      'PostgreSQL cluster is still running (counted up to 100,000; read from PostgreSQL at scrape time).',
    registers: [this.registry],
  });
  private readonly feedHeldSeconds = new Gauge({
    name: 'hookflow_feed_held_seconds',
    help: 'Age of the oldest event the pull feed holds back, from its receive time (0 when none is held).',
    registers: [this.registry],
  });

  constructor() {
    this.exposed = Registry.merge([this.registry, processMetrics()]);
  }

  /** Prometheus text exposition format, version 0.0.4. */
  get contentType(): string {
    return this.exposed.contentType;
  }

  recordDelivery(delivery: DeliveryRecord): void {
    const { source, outcome, reason, status, seconds } = delivery;
    this.ingestRequests.inc({ source, outcome, reason, status: String(status) });
    this.ingestDuration.observe({ outcome }, seconds);
  }

  recordRunFinished(rule: string, status: RunFinalStatus): void {
    this.runs.inc({ rule, status });
  }

  recordStepAttempt(type: string, status: 'succeeded' | 'failed', seconds: number): void {
    this.stepDuration.observe({ type, status }, seconds);
  }

  recordRetry(rule: string): void {
    this.retries.inc({ rule });
  }

  recordDeferral(rule: string): void {
    this.deferrals.inc({ rule });
  }

  /** Rows the retention pruner deleted from `table`. */
  recordPruned(table: RetentionTable, rows: number): void {
    this.retentionPruned.inc({ table }, rows);
  }

  /** One of Hookflow's own events of `type` (`run.dead_lettered`, …) and what became of it. */
  recordSystemEvent(type: string, outcome: SystemEventOutcome): void {
    this.systemEvents.inc({ type, outcome });
  }

  /** The counts of a queue's jobs; undefined when they could not be read (the series disappear rather than go stale). */
  setQueueJobs(queue: string, counts: Record<QueueJobState, number> | undefined): void {
    for (const state of QUEUE_JOB_STATES) {
      if (counts) this.queueJobs.set({ queue, state }, counts[state]);
      else this.queueJobs.remove({ queue, state });
    }
  }

  /** Undefined when the count could not be read (the series disappears rather than go stale). */
  setDeadLettersPending(count: number | undefined): void {
    if (count === undefined) this.deadLettersPending.reset();
    else this.deadLettersPending.set(count);
  }

  setOpenCircuits(count: number): void {
    this.openCircuits.set(count);
  }

  /** What the pull feed holds back; undefined when it could not be read (the series disappear rather than go stale). */
  setFeedHeldBack(held: { events: number; oldestAgeSeconds: number } | undefined): void {
    if (held === undefined) {
      this.feedHeldEvents.reset();
      this.feedHeldSeconds.reset();
    } else {
      this.feedHeldEvents.set(held.events);
      this.feedHeldSeconds.set(held.events > 0 ? held.oldestAgeSeconds : 0);
    }
  }

  /**
   * Runs `probe` before each scrape. A probe that throws or hangs holds up nothing else; a probe
   * that cannot read its value should say so (the setters take undefined) rather than throw.
   */
  onScrape(probe: ScrapeProbe): void {
    this.probes.push(probe);
  }

  /** Every metric of this app and of the process, in Prometheus text format. */
  async render(): Promise<string> {
    await Promise.all(this.probes.map((probe) => this.runProbe(probe)));
    return this.exposed.metrics();
  }

  private async runProbe(probe: ScrapeProbe): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`a metrics probe did not answer within ${PROBE_TIMEOUT_MS} ms; the scrape goes on without it`);
        resolve();
      }, PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.resolve().then(probe), timeout]);
    } catch (error) {
      this.logger.warn(`a metrics probe failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
