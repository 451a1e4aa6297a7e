import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SYSTEM_SOURCE_ID } from '../entities';

/**
 * What the engine's alert detectors look at for one enabled source (never the built-in one):
 * its silence, and its runs and refused deliveries since a time.
 */
export interface SourceSignals {
  sourceId: string;
  /** The source's `expectEvery` setting as written (a duration string or milliseconds), if any. */
  expectEvery: unknown;
  createdAt: Date;
  lastReceivedAt: Date | null;
  /** Runs of the source's events started since the time, by their status now (as the source health view counts them). */
  runsSucceeded: number;
  runsFailed: number;
  /** The error of the latest of those runs that failed. */
  lastRunError: string | null;
  /** Deliveries ingest refused since the time, by reason code (from its capped rejection log). */
  rejectionsByReason: Record<string, number>;
  /** The message of the latest of those refusals. */
  lastRejectionMessage: string | null;
}

/**
 * Any constant unique to this lock (the catalog writers hold 742_001, the rejection log's pruning
 * 742_002, retention 742_003): one engine at a time runs the detectors, the others skip the round.
 */
const ALERT_DETECTION_LOCK = 742_004;

/**
 * The few queries behind the engine's alerts: the detectors' signals (one round trip per kind,
 * whatever the number of sources, plus one short walk per source with failed runs), and what
 * coalescing needs to know about the alerts already stored.
 */
@Injectable()
export class AlertSignalsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Every enabled source's signals since `since`, read under a transaction-scoped advisory lock;
   * undefined when another engine holds it (it is reading the same thing right now).
   */
  async sourceSignals(since: Date): Promise<SourceSignals[] | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = await manager.query<{ locked: boolean }[]>('SELECT pg_try_advisory_xact_lock($1) AS locked', [ALERT_DETECTION_LOCK]);
      if (!lock?.locked) return undefined;
      const [sources, runs, rejections] = [
        await this.sources(manager),
        await this.runs(manager, since),
        await this.rejections(manager, since),
      ];
      return sources.map((source) => {
        const outcome = runs.get(source.sourceId);
        const refused = rejections.get(source.sourceId);
        return {
          ...source,
          runsSucceeded: outcome?.succeeded ?? 0,
          runsFailed: outcome?.failed ?? 0,
          lastRunError: outcome?.lastError ?? null,
          rejectionsByReason: refused?.byReason ?? {},
          lastRejectionMessage: refused?.lastMessage ?? null,
        };
      });
    });
  }

  /** The dead letter that run `runId` replays, if it replays one: its success is a recovery. */
  async deadLetterReplayedBy(runId: string): Promise<{ id: string; error: string; createdAt: Date } | undefined> {
    const [row] = await this.dataSource.query<{ id: string; error: string; createdAt: Date }[]>(
      `SELECT id, error, created_at AS "createdAt" FROM dead_letters WHERE replay_run_id = $1 ORDER BY created_at LIMIT 1`,
      [runId],
    );
    return row;
  }

  /**
   * How many of the built-in source's events of `type` received in `window` carry the coalescing
   * key `key` or a later one of the same subject (`<key>:<n>`). One range of the (source_id,
   * received_at) index: the built-in source's events of one window, which coalescing keeps few.
   */
  async countSystemEvents(type: string, key: string, window: { start: Date; end: Date }): Promise<number> {
    const [row] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM events
        WHERE source_id = $1 AND received_at >= $2 AND received_at < $3 AND type = $4
          AND (idempotency_key = $5 OR (starts_with(idempotency_key, $5 || ':') AND substr(idempotency_key, length($5) + 2) ~ '^[0-9]+$'))`,
      [SYSTEM_SOURCE_ID, window.start, window.end, type, key],
    );
    return row?.count ?? 0;
  }

  /** Each source's latest event comes from the (source_id, received_at) index: one index probe per source. */
  private sources(manager: EntityManager): Promise<Pick<SourceSignals, 'sourceId' | 'expectEvery' | 'createdAt' | 'lastReceivedAt'>[]> {
    return manager.query(
      `SELECT s.id AS "sourceId", s.settings -> 'expectEvery' AS "expectEvery", s.created_at AS "createdAt",
              (SELECT max(e.received_at) FROM events e WHERE e.source_id = s.id) AS "lastReceivedAt"
         FROM sources s
        WHERE s.enabled AND s.id <> $1
        ORDER BY s.id`,
      [SYSTEM_SOURCE_ID],
    );
  }

  /**
   * Counts by status in one grouped pass over the window's runs (`idx_runs_created_at`), then the
   * latest error of each source that has failures: one LIMIT 1 walk per such source down the
   * failed runs' own index (`idx_runs_failed_finished`, newest first), which stops at that
   * source's latest failure. No failed run's error is read but the one shown.
   */
  private async runs(
    manager: EntityManager,
    since: Date,
  ): Promise<Map<string, { succeeded: number; failed: number; lastError: string | null }>> {
    const counts = await manager.query<{ sourceId: string; succeeded: number; failed: number }[]>(
      `SELECT e.source_id AS "sourceId",
              count(*) FILTER (WHERE r.status = 'succeeded')::int AS succeeded,
              count(*) FILTER (WHERE r.status = 'failed')::int AS failed
         FROM runs r JOIN events e ON e.id = r.event_id
        WHERE r.created_at >= $1 AND e.source_id <> $2
        GROUP BY e.source_id`,
      [since, SYSTEM_SOURCE_ID],
    );
    const failing = counts.filter((row) => row.failed > 0).map((row) => row.sourceId);
    const lastErrors = failing.length === 0 ? [] : await this.lastRunErrors(manager, failing, since);
    const errorOf = new Map(lastErrors.map((row) => [row.sourceId, row.lastError]));
    return new Map(counts.map((row) => [row.sourceId, { ...row, lastError: errorOf.get(row.sourceId) ?? null }]));
  }

  /** A run finishes after it is created, so `finished_at >= since` bounds each walk to the window. */
  private lastRunErrors(
    manager: EntityManager,
    sourceIds: string[],
    since: Date,
  ): Promise<{ sourceId: string; lastError: string | null }[]> {
    return manager.query(
      `SELECT s.source_id AS "sourceId", latest.error AS "lastError"
         FROM unnest($1::text[]) AS s(source_id)
         CROSS JOIN LATERAL (
               SELECT r.error FROM runs r JOIN events e ON e.id = r.event_id
                WHERE r.status = 'failed' AND r.finished_at >= $2 AND r.created_at >= $2 AND e.source_id = s.source_id
                ORDER BY r.finished_at DESC
                LIMIT 1) AS latest`,
      [sourceIds, since],
    );
  }

  private async rejections(
    manager: EntityManager,
    since: Date,
  ): Promise<Map<string, { byReason: Record<string, number>; lastMessage: string | null }>> {
    const rows = await manager.query<{ sourceId: string; reason: string; count: number; lastMessage: string | null }[]>(
      `SELECT source_id AS "sourceId", reason, count(*)::int AS count, (array_agg(message ORDER BY created_at DESC))[1] AS "lastMessage"
         FROM ingest_rejections
        WHERE created_at >= $1
        GROUP BY source_id, reason
        ORDER BY source_id, max(created_at)`,
      [since],
    );
    const bySource = new Map<string, { byReason: Record<string, number>; lastMessage: string | null }>();
    for (const row of rows) {
      const entry = bySource.get(row.sourceId) ?? { byReason: {}, lastMessage: null };
      entry.byReason[row.reason] = row.count;
      entry.lastMessage = row.lastMessage; // rows of a source come oldest reason first: the last one wins
      bySource.set(row.sourceId, entry);
    }
    return bySource;
  }
}
