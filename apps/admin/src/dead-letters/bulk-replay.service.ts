import { DeadLettersQueryRepository, TimePosition } from '@hookflow/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { BulkReplayFilterDto } from './bulk-replay.dto';
import { deadLetterSelectionOf, DeadLettersService } from './dead-letters.service';

/** Dead letters are read in batches of this many, so a replay of thousands holds only a batch. */
const BATCH_SIZE = 200;

/** One NDJSON line of a bulk replay's progress. */
export type BulkReplayLine =
  | { replayed: number; total: number; deadLetterId: string; runId: string }
  | { failed: number; total: number; deadLetterId: string; error: string; message: string }
  | { done: true; replayed: number; failed: number; error?: string; message?: string };

/**
 * Replays every pending dead letter a filter selects, oldest first, one at a time, each exactly as
 * a single replay (its own transaction, its run queued). It takes the dead letters created up to
 * its start, so the dead letters of its own replays that fail are not taken again within it; one
 * that fails (rule disabled, taken meanwhile by another replay) is reported and the replay goes on.
 */
@Injectable()
export class BulkReplayService {
  private readonly logger = new Logger(BulkReplayService.name);

  constructor(
    private readonly queries: DeadLettersQueryRepository,
    private readonly deadLetters: DeadLettersService,
  ) {}

  async count(filter: BulkReplayFilterDto): Promise<number> {
    return (await this.queries.countPending(deadLetterSelectionOf(filter))).count;
  }

  async *replay(filter: BulkReplayFilterDto): AsyncGenerator<BulkReplayLine> {
    let replayed = 0;
    let failed = 0;
    try {
      const selection = deadLetterSelectionOf(filter);
      const { count: total, asOf } = await this.queries.countPending(selection);
      let after: TimePosition | undefined;
      for (;;) {
        const batch = await this.queries.pendingBatch(selection, asOf, after, BATCH_SIZE);
        if (batch.length === 0) break;
        for (const position of batch) {
          after = position;
          try {
            const { runId } = await this.deadLetters.replay(position.id);
            replayed += 1;
            yield { replayed, total, deadLetterId: position.id, runId };
          } catch (error) {
            failed += 1;
            yield { failed, total, deadLetterId: position.id, ...this.describe(error, position.id) };
          }
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'a bulk replay stopped');
      yield {
        done: true,
        replayed,
        failed,
        error: 'internal_error',
        message: 'the bulk replay stopped after an unexpected error; it has been logged',
      };
      return;
    }
    yield { done: true, replayed, failed };
  }

  private describe(error: unknown, deadLetterId: string): { error: string; message: string } {
    if (error instanceof ApiError) return { error: error.code, message: error.message };
    this.logger.error({ err: error }, `bulk replay: dead letter ${deadLetterId} could not be replayed`);
    return {
      error: 'internal_error',
      message: `dead letter ${deadLetterId} could not be replayed after an unexpected error; it has been logged`,
    };
  }
}
