import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PageQueryDto } from '../pagination/page';
import { SourceHealthService } from './source-health.service';
import { SourceRejectionsService } from './source-rejections.service';
import { RejectionPageView, RejectionView, SourceActivityQueryDto, SourceActivityView, SourceHealthView } from './source-health.view';

@ApiTags('sources')
@Controller('sources')
export class SourceHealthController {
  constructor(
    private readonly health: SourceHealthService,
    private readonly rejectionLog: SourceRejectionsService,
  ) {}

  @Get(':id/health')
  @ApiOperation({
    summary: "A source's health",
    description:
      'Latest event, events and run outcomes over the last hour and day, deliveries ingest refused by reason (from its capped rejection log), and whether the source has been quiet for longer than its `expectEvery`.',
  })
  @ApiOkResponse({ type: SourceHealthView })
  @ApiNotFoundResponse({ description: 'No source has this id.' })
  show(@Param('id') sourceId: string): Promise<SourceHealthView> {
    return this.health.healthOf(sourceId);
  }

  @Get(':id/activity')
  @ApiOperation({
    summary: "A source's timeline",
    description:
      'Events received, runs started (by their status now) and deliveries refused per interval: the last hour in 5-minute ' +
      'intervals, the last day in hours or the last week in 6 hours. Intervals are aligned to their size (UTC), the last one holds now.',
  })
  @ApiOkResponse({ type: SourceActivityView })
  @ApiNotFoundResponse({ description: 'No source has this id.' })
  activity(@Param('id') sourceId: string, @Query() query: SourceActivityQueryDto): Promise<SourceActivityView> {
    return this.health.activityOf(sourceId, query.window ?? '24h');
  }

  @Get(':id/rejections')
  @ApiOperation({
    summary: "A source's rejected deliveries",
    description:
      'The capped rejection log, newest first: reason code, status, message and client address of each delivery ingest refused. Bodies, headers and credentials are never kept.',
  })
  @ApiOkResponse({ type: RejectionPageView })
  @ApiNotFoundResponse({ description: 'No source has this id.' })
  rejections(@Param('id') sourceId: string, @Query() query: PageQueryDto): Promise<Page<RejectionView>> {
    return this.rejectionLog.list(sourceId, query);
  }
}
