import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventDetailView, EventFeedHeadView, EventPageView, EventReplayView } from './event.views';
import { EventFeedService } from './event-feed.service';
import { EventReplayService } from './event-replay.service';
import { EventsService } from './events.service';
import { ListEventsQueryDto } from './list-events-query.dto';
import { ReplayEventDto } from './replay-event.dto';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly feed: EventFeedService,
    private readonly replays: EventReplayService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List events, newest first; with order=asc, the pull feed',
    description:
      'Filters combine with AND. Items leave out the payload and raw body (GET /events/:id has them). `order=asc` serves ' +
      'events oldest first and only once every transaction that could still insert an earlier one has ended, so a consumer ' +
      'following `nextCursor` neither skips nor repeats an event; a cursor from another PostgreSQL cluster answers 409 `feed_reset`.',
  })
  @ApiOkResponse({ type: EventPageView })
  list(@Query() query: ListEventsQueryDto): Promise<EventPageView> {
    return this.events.list(query);
  }

  @Get('feed/head')
  @ApiOperation({
    summary: 'A pull feed cursor at the current position: follow it to receive only events that settle from now on',
  })
  @ApiOkResponse({ type: EventFeedHeadView })
  head(): Promise<EventFeedHeadView> {
    return this.feed.head();
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
      'Each enabled rule that matches the event now gets a new run with its current version; the answer names them and the rules skipped. ' +
      'While a run of the event for one of those rules has not finished, the answer is 409 `runs_in_flight` naming those runs, unless `force` is true.',
  })
  @ApiOkResponse({ type: EventReplayView })
  replay(@Param('id') id: string, @Body() body: ReplayEventDto): Promise<EventReplayView> {
    return this.replays.replay(id, body.ruleId, body.force);
  }
}
