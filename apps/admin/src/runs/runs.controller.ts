import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page } from '../pagination/page';
import { UuidOr404Pipe } from '../validation/uuid-or-404.pipe';
import { ListRunsQueryDto } from './list-runs-query.dto';
import { RunDetailView, RunPageView, RunView } from './run.views';
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

  @Get(':id')
  @ApiOperation({ summary: 'One run with every step attempt: request summary, response status, output or error, duration' })
  @ApiOkResponse({ type: RunDetailView })
  detail(@Param('id', new UuidOr404Pipe('run')) id: string): Promise<RunDetailView> {
    return this.runs.detail(id);
  }
}
