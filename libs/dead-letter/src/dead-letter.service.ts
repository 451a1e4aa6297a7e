import { DeadLetterCause, DeadLettersRepository, RunEntity, RunsRepository } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';

/** Turns a run that will not succeed by itself into a dead letter holding its whole attempt history. */
@Injectable()
export class DeadLetterService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly deadLetters: DeadLettersRepository,
  ) {}

  async deadLetter(
    run: Pick<RunEntity, 'id' | 'eventId' | 'ruleId'>,
    failure: { stepId: string | null; cause: DeadLetterCause; error: string },
  ): Promise<void> {
    const history = await this.runs.attempts(run.id);
    await this.deadLetters.failRun({
      id: uuidv7(),
      runId: run.id,
      eventId: run.eventId,
      ruleId: run.ruleId,
      stepId: failure.stepId,
      cause: failure.cause,
      error: failure.error,
      attempts: history.map((attempt) => ({
        stepId: attempt.stepId,
        attempt: attempt.attempt,
        status: attempt.status,
        startedAt: attempt.startedAt.toISOString(),
        durationMs: attempt.durationMs,
        responseStatus: attempt.responseStatus,
        error: attempt.error,
      })),
    });
  }
}
