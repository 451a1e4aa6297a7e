import {
  ApiKeyEntity,
  DeadLetterFilter,
  DeadLetterRow,
  DeadLettersQueryRepository,
  DeadLetterReplay,
  ReplaysRepository,
} from '@hookflow/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ApiError } from '../errors/api-error';
import { isTimeKeysetOf, timeKeyset } from '../pagination/cursor';
import { decodeCursor, DEFAULT_PAGE_LIMIT, Page, pageOf } from '../pagination/page';
import { RunLauncher } from '../runs/run-launcher.service';
import { timeRangeOf } from '../validation/time-range-query.dto';
import { DeadLetterGroupsQueryDto, DeadLetterSelectionDto, ListDeadLettersQueryDto } from './dead-letter-filter.dto';
import { DeadLetterDetailView, DeadLetterGroupsView, DeadLetterReplayView, DeadLetterView } from './dead-letter.views';

const LISTING = 'dead-letters';
const isListingKeyset = isTimeKeysetOf(LISTING);

/**
 * Reviewing dead letters and acting on one: replay (a new run with the rule's current version,
 * queued for the engine) or discard with a reason. Only pending dead letters can be acted on.
 * Ids are UUIDs: the controller answers 404 for anything else (UuidOr404Pipe).
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(
    private readonly queries: DeadLettersQueryRepository,
    private readonly replays: ReplaysRepository,
    private readonly launcher: RunLauncher,
  ) {}

  async list(query: ListDeadLettersQueryDto): Promise<Page<DeadLetterView>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const after = query.after === undefined ? undefined : decodeCursor(query.after, isListingKeyset);
    const rows = await this.queries.list({ ...deadLetterSelectionOf(query), status: query.status }, after, limit + 1);
    return pageOf(rows, limit, (row) => timeKeyset(LISTING, row.position), deadLetterView);
  }

  /** How many dead letters the filter selects, by cause and by destination host: "their outage" apart from "our bug". */
  groups(query: DeadLetterGroupsQueryDto): Promise<DeadLetterGroupsView> {
    return this.queries.groups({ ...deadLetterSelectionOf(query), status: query.status });
  }

  async detail(id: string): Promise<DeadLetterDetailView> {
    const row = await this.queries.findById(id);
    if (!row) throw ApiError.notFound('dead letter', id);
    return { ...deadLetterView(row), attempts: row.attempts };
  }

  /** Replays one pending dead letter; its new run is queued before this answers. */
  async replay(id: string): Promise<DeadLetterReplayView> {
    const outcome = await this.replays.replayDeadLetter(id, uuidv7());
    if (outcome.outcome !== 'replayed') throw replayRefusal(id, outcome);
    await this.launcher.launch([outcome.runId]);
    return { deadLetterId: id, runId: outcome.runId, ruleVersion: outcome.ruleVersion, replay: outcome.replay };
  }

  async discard(id: string, reason: string, key: ApiKeyEntity): Promise<DeadLetterDetailView> {
    const outcome = await this.replays.discard(id, reason);
    if (outcome.outcome === 'not_found') throw ApiError.notFound('dead letter', id);
    if (outcome.outcome === 'not_pending') {
      throw ApiError.conflict(
        'dead_letter_not_pending',
        `dead letter ${id} is ${outcome.status}; only pending dead letters can be discarded`,
      );
    }
    this.logger.log(`dead letter ${id} discarded with API key "${key.name}": ${reason}`);
    return this.detail(id);
  }
}

/** The repository's filter for the query filters a listing, its groups and a bulk replay share. */
export function deadLetterSelectionOf(selection: DeadLetterSelectionDto): Omit<DeadLetterFilter, 'status'> {
  return {
    ruleId: selection.rule,
    sourceId: selection.source,
    cause: selection.cause,
    errorContains: selection.error,
    destination: selection.destination,
    ...timeRangeOf(selection),
  };
}

function replayRefusal(id: string, outcome: Exclude<DeadLetterReplay, { outcome: 'replayed' }>): ApiError {
  switch (outcome.outcome) {
    case 'not_found':
      return ApiError.notFound('dead letter', id);
    case 'not_pending':
      return ApiError.conflict(
        'dead_letter_not_pending',
        `dead letter ${id} is ${outcome.status}${outcome.replayRunId ? ` (replay run ${outcome.replayRunId})` : ''}; only pending dead letters can be replayed`,
      );
    case 'rule_missing':
      return ApiError.conflict(
        'rule_missing',
        `rule "${outcome.ruleId}" no longer exists, so dead letter ${id} cannot be replayed; discard it instead`,
      );
    case 'rule_disabled':
      return ApiError.conflict('rule_disabled', `rule "${outcome.ruleId}" is disabled; resume it before replaying dead letter ${id}`);
  }
}

export function deadLetterView(row: DeadLetterRow): DeadLetterView {
  return {
    id: row.id,
    runId: row.runId,
    eventId: row.eventId,
    sourceId: row.sourceId,
    ruleId: row.ruleId,
    stepId: row.stepId,
    cause: row.cause,
    error: row.error,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    replayRunId: row.replayRunId,
    discardReason: row.discardReason,
    destination: row.destination,
  };
}
