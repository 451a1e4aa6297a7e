import { EventsQueryRepository, HeldBackEvents } from '@hookflow/persistence';
import { HookflowMetrics } from '@hookflow/telemetry';
import { Injectable, OnModuleInit } from '@nestjs/common';

/**
 * Held-back events counted per scrape at most: a transaction held open for hours under heavy
 * traffic must not turn each scrape into a scan of everything received since.
 */
const SCRAPE_CAP = 100_000;

/**
 * `hookflow_feed_held_events` and `hookflow_feed_held_seconds`: what the pull feed holds back
 * behind a transaction still running anywhere in the PostgreSQL cluster (docs/operations.md), read
 * at scrape time. A delay, never a loss, but one an operator must be able to see and end.
 */
@Injectable()
export class FeedHoldBackProbe implements OnModuleInit {
  constructor(
    private readonly metrics: HookflowMetrics,
    private readonly events: EventsQueryRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(async () => this.metrics.setFeedHeldBack(await this.read().catch(() => undefined)));
  }

  private async read(): Promise<HeldBackEvents> {
    return this.events.heldBack({}, (await this.events.feedHorizon()).settled, SCRAPE_CAP);
  }
}
