import { ApiKeyEntity } from '@hookflow/persistence';
import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { CurrentApiKey } from '../auth/api-key.guard';
import { RequiredScope } from '../auth/scope.decorator';
import { ApiError } from '../errors/api-error';
import { Page } from '../pagination/page';
import { UuidOr404Pipe } from '../validation/uuid-or-404.pipe';
import { BulkReplayLine, BulkReplayService } from './bulk-replay.service';
import { BulkReplayDto } from './bulk-replay.dto';
import { DeadLetterGroupsQueryDto, ListDeadLettersQueryDto } from './dead-letter-filter.dto';
import {
  BulkReplayCountView,
  DeadLetterDetailView,
  DeadLetterGroupsView,
  DeadLetterPageView,
  DeadLetterReplayView,
  DeadLetterView,
} from './dead-letter.views';
import { DeadLettersService } from './dead-letters.service';
import { DiscardDeadLetterDto } from './discard-dead-letter.dto';

const DEAD_LETTER_ID = new UuidOr404Pipe('dead letter');

@ApiTags('dead-letters')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLettersService,
    private readonly bulk: BulkReplayService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List dead letters, newest first, by status, rule, source, cause and creation time' })
  @ApiOkResponse({ type: DeadLetterPageView })
  list(@Query() query: ListDeadLettersQueryDto): Promise<Page<DeadLetterView>> {
    return this.deadLetters.list(query);
  }

  @Get('groups')
  @ApiOperation({
    summary: 'Count dead letters by cause and by destination host',
    description: "The listing's filters; `total`, then the groups, the largest first: a destination's outage apart from a bug of ours.",
  })
  @ApiOkResponse({ type: DeadLetterGroupsView })
  groups(@Query() query: DeadLetterGroupsQueryDto): Promise<DeadLetterGroupsView> {
    return this.deadLetters.groups(query);
  }

  @Post('replay')
  @HttpCode(200)
  @RequiredScope('read') // a dry run only reads; the replay itself checks for a write key
  @ApiOperation({
    summary: 'Replay the pending dead letters a filter selects (dryRun: count them)',
    description:
      'With dryRun: `{ "count": n }` (a read key is enough). Otherwise an application/x-ndjson stream, one line per dead letter: ' +
      '`{"replayed":n,"total":m,"deadLetterId":…,"runId":…}` or `{"failed":k,"total":m,"deadLetterId":…,"error":code,"message":…}`, ' +
      'ending with `{"done":true,"replayed":n,"failed":k}`. Closing the connection stops the replay after the dead letter in hand.',
  })
  @ApiExtraModels(BulkReplayCountView)
  @ApiProduces('application/json', 'application/x-ndjson')
  @ApiOkResponse({ schema: { $ref: getSchemaPath(BulkReplayCountView) } })
  async replayMany(@Body() body: BulkReplayDto, @CurrentApiKey() key: ApiKeyEntity): Promise<BulkReplayCountView | StreamableFile> {
    if (body.dryRun) return { count: await this.bulk.count(body.filter) };
    if (key.scope !== 'write') {
      throw new ApiError(
        403,
        'forbidden',
        `the API key "${key.name}" has scope read; a replay needs a write key (a dry run needs only read)`,
      );
    }
    return new StreamableFile(Readable.from(ndjson(this.bulk.replay(body.filter))), { type: 'application/x-ndjson' });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dead letter with the step attempts of its run' })
  @ApiOkResponse({ type: DeadLetterDetailView })
  detail(@Param('id', DEAD_LETTER_ID) id: string): Promise<DeadLetterDetailView> {
    return this.deadLetters.detail(id);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay a pending dead letter: a new run of its event with the rule’s current version',
    description:
      'The dead letter becomes `replayed`, then `resolved` when the new run succeeds. 409 unless it is pending, or when its rule is gone or disabled.',
  })
  @ApiOkResponse({ type: DeadLetterReplayView })
  replay(@Param('id', DEAD_LETTER_ID) id: string): Promise<DeadLetterReplayView> {
    return this.deadLetters.replay(id);
  }

  @Post(':id/discard')
  @HttpCode(200)
  @ApiOperation({ summary: 'Discard a pending dead letter, with the reason' })
  @ApiOkResponse({ type: DeadLetterDetailView })
  discard(
    @Param('id', DEAD_LETTER_ID) id: string,
    @Body() body: DiscardDeadLetterDto,
    @CurrentApiKey() key: ApiKeyEntity,
  ): Promise<DeadLetterDetailView> {
    return this.deadLetters.discard(id, body.reason, key);
  }
}

async function* ndjson(lines: AsyncIterable<BulkReplayLine>): AsyncGenerator<string> {
  for await (const line of lines) yield `${JSON.stringify(line)}\n`;
}
