import { RunRow, RunsQueryRepository, RunsRepository, StepAttemptEntity } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { isTimeKeysetOf, timeKeyset } from '../pagination/cursor';
import { decodeCursor, DEFAULT_PAGE_LIMIT, Page, pageOf } from '../pagination/page';
import { timeRangeOf } from '../validation/time-range-query.dto';
import { ListRunsQueryDto, RunCountsQueryDto } from './list-runs-query.dto';
import { RunCountsView, RunDetailView, RunView, StepAttemptView } from './run.views';

const LISTING = 'runs';
const DEFAULT_COUNTS_WINDOW_MS = 24 * 3_600_000;
const isListingKeyset = isTimeKeysetOf(LISTING);

@Injectable()
export class RunsService {
  constructor(
    private readonly queries: RunsQueryRepository,
    private readonly runs: RunsRepository,
  ) {}

  async list(query: ListRunsQueryDto): Promise<Page<RunView>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const after = query.after === undefined ? undefined : decodeCursor(query.after, isListingKeyset);
    const rows = await this.queries.list(
      {
        ruleId: query.rule,
        status: query.status,
        eventId: query.event,
        ...timeRangeOf(query),
      },
      after,
      limit + 1,
    );
    return pageOf(rows, limit, (row) => timeKeyset(LISTING, row.position), runView);
  }

  async counts(query: RunCountsQueryDto): Promise<RunCountsView> {
    const range = timeRangeOf(query);
    const from = range.from ?? new Date(Date.now() - DEFAULT_COUNTS_WINDOW_MS);
    const items = await this.queries.countByRuleAndStatus({ ruleId: query.rule, from, to: range.to });
    return { from: from.toISOString(), to: range.to?.toISOString() ?? null, items };
  }

  /** `runId`: a UUID (the controller's UuidOr404Pipe answers 404 for anything else). */
  async detail(runId: string): Promise<RunDetailView> {
    const run = await this.queries.findById(runId);
    if (!run) throw ApiError.notFound('run', runId);
    const attempts = await this.runs.attempts(runId);
    return { ...runView(run), attempts: attempts.map(attemptView) };
  }
}

export function runView(run: RunRow): RunView {
  return {
    id: run.id,
    eventId: run.eventId,
    sourceId: run.sourceId,
    ruleId: run.ruleId,
    ruleVersion: run.ruleVersion,
    replay: run.replay,
    replayOf: run.replayOf,
    fromStep: run.fromStep,
    status: run.status,
    executions: run.executions,
    error: run.error,
    nextAttemptAt: run.nextAttemptAt?.toISOString() ?? null,
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    deadLetter: run.deadLetter,
  };
}

function attemptView(attempt: StepAttemptEntity): StepAttemptView {
  return {
    stepId: attempt.stepId,
    attempt: attempt.attempt,
    status: attempt.status,
    startedAt: attempt.startedAt.toISOString(),
    durationMs: attempt.durationMs,
    request: attempt.request,
    responseStatus: attempt.responseStatus,
    output: attempt.output ?? null,
    error: attempt.error,
    carriedFrom: attempt.carriedFrom,
  };
}
