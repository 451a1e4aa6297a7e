import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SourceHealthService } from './source-health.service';
import { SourceHealthView } from './source-health.view';

@ApiTags('sources')
@Controller('sources')
export class SourceHealthController {
  constructor(private readonly health: SourceHealthService) {}

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
}
