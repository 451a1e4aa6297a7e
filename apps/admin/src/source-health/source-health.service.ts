import { HOOKFLOW_CONFIG, HookflowConfig, parseDuration } from '@hookflow/config';
import { IngestRejectionsRepository, RejectionLogCoverage, SourceActivity, SourceHealthRepository } from '@hookflow/persistence';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import {
  ACTIVITY_WINDOWS,
  ActivityWindow,
  RejectedDeliveriesView,
  SourceActivityView,
  SourceHealthView,
  SourceWindowView,
} from './source-health.view';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A source's health: is it receiving, are its runs succeeding, why are deliveries refused, has it gone quiet. */
@Injectable()
export class SourceHealthService {
  constructor(
    private readonly sources: SourceHealthRepository,
    private readonly rejections: IngestRejectionsRepository,
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
  ) {}

  async healthOf(sourceId: string, now = new Date()): Promise<SourceHealthView> {
    const source = await this.sources.source(sourceId);
    if (!source) throw ApiError.notFound('source', sourceId);
    const windows = [new Date(now.getTime() - HOUR_MS), new Date(now.getTime() - DAY_MS)];
    const [activity, rejected, coverage] = await Promise.all([
      this.sources.activity(sourceId, windows),
      this.rejections.countByReason(sourceId, windows),
      this.rejections.coverage(sourceId),
    ]);
    const window = (index: 0 | 1): SourceWindowView =>
      windowView(windows[index]!, activity.windows[index]!, rejectedView(rejected[index] ?? {}, coverage, windows[index]!, this.logSize));

    const expectEvery = expectEveryOf(source.settings.expectEvery);
    const quietSince = activity.lastReceivedAt ?? source.createdAt;
    return {
      source: source.id,
      provider: source.provider,
      enabled: source.enabled,
      checkedAt: now.toISOString(),
      lastReceivedAt: activity.lastReceivedAt?.toISOString() ?? null,
      expectEvery: expectEvery?.written ?? null,
      silent: expectEvery !== undefined && now.getTime() - quietSince.getTime() > expectEvery.ms,
      lastHour: window(0),
      lastDay: window(1),
    };
  }

  /** The source's timeline over `window`, in intervals aligned to their size so that a refresh keeps each bar where it was. */
  async activityOf(sourceId: string, window: ActivityWindow, now = new Date()): Promise<SourceActivityView> {
    if (!(await this.sources.source(sourceId))) throw ApiError.notFound('source', sourceId);
    const { windowMs, bucketMs, bucket } = ACTIVITY_WINDOWS[window];
    const count = windowMs / bucketMs;
    const until = Math.floor(now.getTime() / bucketMs) * bucketMs + bucketMs;
    const since = new Date(until - windowMs);
    const buckets = await this.sources.timeline(sourceId, since, bucketMs, count);
    return {
      source: sourceId,
      window,
      bucket,
      since: since.toISOString(),
      until: new Date(until).toISOString(),
      buckets: buckets.map((entry) => ({ ...entry, start: entry.start.toISOString() })),
    };
  }

  private get logSize(): number {
    return this.config.ingest.rejectionLog.maxPerSource;
  }
}

function windowView(since: Date, activity: SourceActivity, rejected: RejectedDeliveriesView): SourceWindowView {
  const finished = activity.runsSucceeded + activity.runsFailed;
  return {
    since: since.toISOString(),
    ...activity,
    failureRate: finished === 0 ? null : Math.round((activity.runsFailed / finished) * 10_000) / 10_000,
    rejected,
  };
}

/**
 * The log keeps the newest rows of each source only: when it is full and its oldest row is younger
 * than the window, rejections of the window's start were pruned.
 */
function rejectedView(
  byReason: Record<string, number>,
  coverage: RejectionLogCoverage,
  since: Date,
  logSize: number,
): RejectedDeliveriesView {
  return {
    total: Object.values(byReason).reduce((sum, count) => sum + count, 0),
    byReason,
    truncated: coverage.rows >= logSize && coverage.oldest !== null && coverage.oldest > since,
  };
}

/** The source's `expectEvery`, when it sets a valid one (definitions are validated, so an invalid one is not expected). */
function expectEveryOf(value: unknown): { written: string | number; ms: number } | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const ms = parseDuration(value);
  return ms === undefined ? undefined : { written: value, ms };
}
