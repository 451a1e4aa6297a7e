import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A run marked `running` that has not changed for a while; `executions` names the job that runs it. */
export interface AbandonedRun {
  id: string;
  status: 'running';
  executions: number;
  replay: number;
}

/** Where {@link RunRecoveryRepository.abandonedRuns} looks. */
export interface AbandonedRunsQuery {
  /** Runs whose execution began (or last changed) before this. */
  untouchedSince: Date;
  /** Only runs whose id comes after this one (the last of the previous batch). */
  after?: string;
  limit: number;
}

/** Sorts before every uuid: the start of a keyset walk. */
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * What the engine's runs sweeper reads besides {@link RunsRepository.strandedRuns}: runs left
 * `running` by an execution that never finished, because its engine was killed and its job was then
 * lost (Redis lost its data) or failed (it stalled too often). Few runs are `running` at any time
 * (engines × concurrency), and `idx_runs_status_next_attempt` leads with the status.
 */
@Injectable()
export class RunRecoveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  abandonedRuns(query: AbandonedRunsQuery): Promise<AbandonedRun[]> {
    return this.dataSource.query<AbandonedRun[]>(
      `SELECT id, status, executions, replay FROM runs
        WHERE status = 'running' AND updated_at < $1 AND id > $2
        ORDER BY id LIMIT $3`,
      [query.untouchedSince, query.after ?? FIRST_UUID, query.limit],
    );
  }
}
