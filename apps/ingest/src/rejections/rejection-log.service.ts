import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { IngestRejectionsRepository, NewIngestRejection } from '@hookflow/persistence';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

/** Rejections waiting to be written; past this, new ones are dropped (and counted) rather than held. */
const MAX_PENDING = 1000;
/** Rows per INSERT. */
const BATCH_SIZE = 250;
/** The shortest time between two warnings about dropped entries. */
const DROPPED_REPORT_INTERVAL_MS = 10_000;
/** How often the log is pruned even when little is written. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Records refused deliveries in the capped `ingest_rejections` log without ever delaying or
 * failing the answer: `record` only queues, and one background writer per process drains the
 * queue in batches, so a flood of bad deliveries costs at most one database connection and a
 * bounded amount of memory. A write that fails, and entries dropped because the queue was full,
 * are logged as warnings. The log is pruned every minute, and whenever this process has written
 * as many rows as a source may keep (docs/decisions.md).
 */
@Injectable()
export class RejectionLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RejectionLog.name);
  private pending: NewIngestRejection[] = [];
  private dropped = 0;
  private droppedReportedAt = 0;
  private writtenSincePrune = 0;
  private pruneDue = false;
  private writer: Promise<void> | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rejections: IngestRejectionsRepository,
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.pruneTimer = setInterval(() => this.requestPrune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  /** Returns at once; the row is written in the background. */
  record(rejection: NewIngestRejection): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped += 1;
      return;
    }
    this.pending.push(rejection);
    this.startWriter();
  }

  /** Waits until every rejection recorded so far has been written (or its write has failed). */
  async flushed(): Promise<void> {
    while (this.writer) await this.writer;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.flushed();
  }

  /** One writer at a time: the log never takes more than one of the pool's connections. */
  private startWriter(): void {
    if (this.writer) return;
    this.writer = this.drain().finally(() => {
      this.writer = undefined;
    });
  }

  /** Prunes first when due, so a steady flood of writes cannot put pruning off. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0 || this.pruneDue) {
      if (this.pruneDue) {
        await this.prune();
      } else {
        await this.write(this.pending.splice(0, BATCH_SIZE));
        if (this.writtenSincePrune >= this.config.ingest.rejectionLog.maxPerSource) this.pruneDue = true;
      }
      this.reportDropped(false);
    }
    this.reportDropped(true);
  }

  private async write(batch: NewIngestRejection[]): Promise<void> {
    try {
      await this.rejections.insertMany(batch);
      this.writtenSincePrune += batch.length;
    } catch (error) {
      this.logger.warn(`could not write ${batch.length} refused deliveries to the rejection log: ${(error as Error).message}`);
    }
  }

  private requestPrune(): void {
    this.pruneDue = true;
    this.startWriter();
  }

  private async prune(): Promise<void> {
    const { maxPerSource, retentionMs } = this.config.ingest.rejectionLog;
    this.pruneDue = false;
    this.writtenSincePrune = 0;
    try {
      await this.rejections.prune({ maxPerSource, olderThan: new Date(Date.now() - retentionMs) });
    } catch (error) {
      this.logger.warn(`could not prune the rejection log: ${(error as Error).message}`);
    }
  }

  /** At most one warning per interval while a flood lasts, and one when it is over. */
  private reportDropped(final: boolean): void {
    if (this.dropped === 0) return;
    if (!final && Date.now() - this.droppedReportedAt < DROPPED_REPORT_INTERVAL_MS) return;
    this.logger.warn(`${this.dropped} refused deliveries were not written to the rejection log: too many were waiting to be written`);
    this.dropped = 0;
    this.droppedReportedAt = Date.now();
  }
}
