import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page } from '../pagination/page';
import { UuidOr404Pipe } from '../validation/uuid-or-404.pipe';
import { ListRunsQueryDto, RunCountsQueryDto } from './list-runs-query.dto';
import { RunCountsView, RunDetailView, RunPageView, RunView } from './run.views';
import { RunsService } from './runs.service';

@ApiTags('runs')
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

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
}
