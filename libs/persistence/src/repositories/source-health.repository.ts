import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SourceEntity } from '../entities';

/** Counts of one time window of a source. */
export interface SourceActivity {
  events: number;
  runsSucceeded: number;
  runsFailed: number;
  /** Started in the window and not finished yet (pending, running or retrying). */
  runsInProgress: number;
}

/** A source's activity since each of the given times (same order), and its latest event. */
export interface SourceActivityReport {
  lastReceivedAt: Date | null;
  windows: SourceActivity[];
}

/** A source's counts in one interval of a timeline. */
export interface SourceActivityBucket {
  start: Date;
  events: number;
  runsSucceeded: number;
  runsFailed: number;
  /** Deliveries ingest refused, from its capped rejection log. */
  rejected: number;
}

/** What a source's health is computed from; every query is bounded by an index on the source or on time. */
@Injectable()
export class SourceHealthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The source, enabled or not; its secrets are not read. */
  source(sourceId: string): Promise<Pick<SourceEntity, 'id' | 'provider' | 'settings' | 'enabled' | 'createdAt'> | null> {
    return this.dataSource.getRepository(SourceEntity).findOne({
      select: { id: true, provider: true, settings: true, enabled: true, createdAt: true },
      where: { id: sourceId },
    });
  }

  /**
   * `count` intervals of `bucketMs` from `since`: events received, runs of the source's events
   * started (by their status now) and deliveries refused in each. Every query is bounded by `since`.
   */
  async timeline(sourceId: string, since: Date, bucketMs: number, count: number): Promise<SourceActivityBucket[]> {
    const until = new Date(since.getTime() + bucketMs * count);
    const bucketOf = (column: string): string => `floor(extract(epoch FROM ${column} - $2::timestamptz) * 1000 / $4)::int`;
    const parameters = [sourceId, since, until, bucketMs];
    type Counted = { bucket: number } & Record<string, number>;
    const [events, runs, rejected] = await Promise.all([
      this.dataSource.query<Counted[]>(
        `SELECT ${bucketOf('received_at')} AS bucket, count(*)::int AS events FROM events
          WHERE source_id = $1 AND received_at >= $2 AND received_at < $3 GROUP BY 1`,
        parameters,
      ),
      this.dataSource.query<Counted[]>(
        `SELECT ${bucketOf('r.created_at')} AS bucket, count(*) FILTER (WHERE r.status = 'succeeded')::int AS succeeded,
            count(*) FILTER (WHERE r.status = 'failed')::int AS failed
          FROM runs r JOIN events e ON e.id = r.event_id
          WHERE e.source_id = $1 AND r.created_at >= $2 AND r.created_at < $3 GROUP BY 1`,
        parameters,
      ),
      this.dataSource.query<Counted[]>(
        `SELECT ${bucketOf('created_at')} AS bucket, count(*)::int AS rejected FROM ingest_rejections
          WHERE source_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY 1`,
        parameters,
      ),
    ]);
    const byBucket = (rows: Counted[]): Map<number, Counted> => new Map(rows.map((row) => [row.bucket, row]));
    const [eventsOf, runsOf, rejectedOf] = [byBucket(events), byBucket(runs), byBucket(rejected)];
    return Array.from({ length: count }, (_, index) => ({
      start: new Date(since.getTime() + index * bucketMs),
      events: eventsOf.get(index)?.events ?? 0,
      runsSucceeded: runsOf.get(index)?.succeeded ?? 0,
      runsFailed: runsOf.get(index)?.failed ?? 0,
      rejected: rejectedOf.get(index)?.rejected ?? 0,
    }));
  }

  /**
   * Events received since each time, and runs of the source's events started since each time by
   * their status now (replays included: they start when replayed).
   */
  async activity(sourceId: string, since: readonly Date[]): Promise<SourceActivityReport> {
    const earliest = new Date(Math.min(...since.map((time) => time.getTime())));
    // $1 the source, $2 the earliest start (what the indexes narrow on), $3… each window's start.
    const eventColumns = since.map((_, index) => `count(*) FILTER (WHERE received_at >= $${index + 3})::int AS "events_${index}"`);
    const runColumns = since.flatMap((_, index) => [
      `count(*) FILTER (WHERE r.created_at >= $${index + 3} AND r.status = 'succeeded')::int AS "succeeded_${index}"`,
      `count(*) FILTER (WHERE r.created_at >= $${index + 3} AND r.status = 'failed')::int AS "failed_${index}"`,
      `count(*) FILTER (WHERE r.created_at >= $${index + 3} AND r.status NOT IN ('succeeded', 'failed'))::int AS "in_progress_${index}"`,
    ]);
    const parameters = [sourceId, earliest, ...since];
    const [[events = {}], [runs = {}], [last]] = await Promise.all([
      this.dataSource.query<Record<string, number>[]>(
        `SELECT ${eventColumns.join(', ')} FROM events WHERE source_id = $1 AND received_at >= $2`,
        parameters,
      ),
      this.dataSource.query<Record<string, number>[]>(
        `SELECT ${runColumns.join(', ')} FROM runs r JOIN events e ON e.id = r.event_id WHERE e.source_id = $1 AND r.created_at >= $2`,
        parameters,
      ),
      this.dataSource.query<{ last: Date | null }[]>('SELECT max(received_at) AS last FROM events WHERE source_id = $1', [sourceId]),
    ]);
    return {
      lastReceivedAt: last?.last ?? null,
      windows: since.map((_, index) => ({
        events: events[`events_${index}`] ?? 0,
        runsSucceeded: runs[`succeeded_${index}`] ?? 0,
        runsFailed: runs[`failed_${index}`] ?? 0,
        runsInProgress: runs[`in_progress_${index}`] ?? 0,
      })),
    };
  }
}
