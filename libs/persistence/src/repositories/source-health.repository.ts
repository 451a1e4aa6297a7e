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
