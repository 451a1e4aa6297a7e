import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeadLetterCause, RunEntity } from '../entities';
import { storableJson, storableText } from '../storable';

export interface NewDeadLetter {
  id: string;
  runId: string;
  eventId: string;
  ruleId: string;
  stepId: string | null;
  cause: DeadLetterCause;
  error: string;
  attempts: unknown[];
}

@Injectable()
export class DeadLettersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Dead letters still waiting for review or replay (a metrics gauge; idx_dead_letters_status_created serves it). */
  async countPending(): Promise<number> {
    const [row] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM dead_letters WHERE status = 'pending'`,
    );
    return row?.count ?? 0;
  }

  /** Marks the run failed and stores its dead letter in one transaction: neither exists without the other. */
  async failRun(deadLetter: NewDeadLetter): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      await manager
        .getRepository(RunEntity)
        .update(
          { id: deadLetter.runId },
          { status: 'failed', error: storableText(deadLetter.error), updatedAt: now, finishedAt: now, nextAttemptAt: null },
        );
      await manager.query(
        `INSERT INTO dead_letters (id, run_id, event_id, rule_id, step_id, cause, error, attempts, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') ON CONFLICT (run_id) DO NOTHING`,
        [
          deadLetter.id,
          deadLetter.runId,
          deadLetter.eventId,
          deadLetter.ruleId,
          deadLetter.stepId,
          deadLetter.cause,
          storableText(deadLetter.error),
          storableJson(deadLetter.attempts),
        ],
      );
    });
  }
}
