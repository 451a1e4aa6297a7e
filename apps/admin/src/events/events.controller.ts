import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page } from '../pagination/page';
import { EventDetailView, EventPageView, EventReplayView, EventSummaryView } from './event.views';
import { EventReplayService } from './event-replay.service';
import { EventsService } from './events.service';
import { ListEventsQueryDto } from './list-events-query.dto';
import { ReplayEventDto } from './replay-event.dto';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly replays: EventReplayService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List events, newest first; with order=asc, the pull feed',
    description:
      'Filters combine with AND. `order=asc` serves events oldest first and only once every transaction that could still ' +
      'insert an earlier one has ended, so a consumer following `nextCursor` neither skips nor repeats an event.',
  })
  @ApiOkResponse({ type: EventPageView })
  list(@Query() query: ListEventsQueryDto): Promise<Page<EventSummaryView>> {
    return this.events.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One event: masked headers, raw body, payload, and the runs it caused' })
  @ApiOkResponse({ type: EventDetailView })
  detail(@Param('id') id: string): Promise<EventDetailView> {
    return this.events.detail(id);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay an event through the current rules (or one rule)',
    description:
      'Each enabled rule that matches the event now gets a new run with its current version; the answer names them and the rules skipped.',
  })
  @ApiOkResponse({ type: EventReplayView })
  replay(@Param('id') id: string, @Body() body: ReplayEventDto): Promise<EventReplayView> {
    return this.replays.replay(id, body.ruleId);
  }
}
