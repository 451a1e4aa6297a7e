import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page } from '../pagination/page';
import { UuidOr404Pipe } from '../validation/uuid-or-404.pipe';
import { ListRunsQueryDto, RunCountsQueryDto } from './list-runs-query.dto';
import { ReplayRunDto } from './replay-run.dto';
import { RunReplayService } from './run-replay.service';
import { RunCountsView, RunDetailView, RunPageView, RunReplayView, RunView } from './run.views';
import { RunsService } from './runs.service';

@ApiTags('runs')
@Controller('runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly replays: RunReplayService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List runs, newest first, by rule, status, event and creation time' })
  @ApiOkResponse({ type: RunPageView })
  list(@Query() query: ListRunsQueryDto): Promise<Page<RunView>> {
    return this.runs.list(query);
  }

  @Get('counts')
  @ApiOperation({
    summary: 'Count runs by rule and status',
    description: 'Runs created in [from, to) (default: the last 24 hours), by their status now.',
  })
  @ApiOkResponse({ type: RunCountsView })
  counts(@Query() query: RunCountsQueryDto): Promise<RunCountsView> {
    return this.runs.counts(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One run with every step attempt: request summary, response status, output or error, duration' })
  @ApiOkResponse({ type: RunDetailView })
  detail(@Param('id', new UuidOr404Pipe('run')) id: string): Promise<RunDetailView> {
    return this.runs.detail(id);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay a run, whole or from one of its steps, with the rule’s current version',
    description:
      'A new run of the event for the rule (`replayOf` this run), queued on the replays queue; it takes over the pending dead letters ' +
      'of the event for the rule. With `fromStep`, the steps before it are carried over (their succeeded attempts copied, or the final ' +
      'failed attempt of a `continueOnError` step the run went past; nothing sent again; later steps see their outputs, and such a step ' +
      'as failed) and the steps from it on execute again, with new Idempotency-Keys. 422 `unknown_step` when the current version has no ' +
      'such step; 409 `earlier_step_incomplete` when a step before it neither succeeded, nor was skipped, nor failed and was continued ' +
      'past (and still continues on error) in this run; 409 `source_run_changed` when attempts to carry over were pruned meanwhile; ' +
      '409 `runs_in_flight` while a run of the event for the rule has not finished (unless `force`); 409 `rule_missing`, ' +
      '`rule_disabled`, `rule_changed`. Needs a write key.',
  })
  @ApiOkResponse({ type: RunReplayView })
  replay(@Param('id', new UuidOr404Pipe('run')) id: string, @Body() body: ReplayRunDto): Promise<RunReplayView> {
    return this.replays.replay(id, body);
  }
}
