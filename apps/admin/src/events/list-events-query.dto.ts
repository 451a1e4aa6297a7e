import { EventStatus } from '@hookflow/persistence';
import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsJSON, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination/page';
import { TimeRangeQueryDto } from '../validation/time-range-query.dto';

export const EVENT_STATUSES: readonly EventStatus[] = ['received', 'dispatched', 'unmatched', 'ignored'];

/** Filters of `GET /events`; `order=asc` makes it the pull feed. `from` and `to` bound the reception time. */
export class ListEventsQueryDto extends IntersectionType(PageQueryDto, TimeRangeQueryDto) {
  @ApiPropertyOptional({ description: 'Source id' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  source?: string;

  @ApiPropertyOptional({ description: 'Event type, matched exactly (no globs)', example: 'order.created' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  type?: string;

  @ApiPropertyOptional({ enum: EVENT_STATUSES })
  @IsOptional()
  @IsIn(EVENT_STATUSES, { message: `status must be one of ${EVENT_STATUSES.join(', ')}` })
  status?: EventStatus;

  @ApiPropertyOptional({
    description: 'A JSON object or array the payload must contain (`payload @> …`)',
    example: '{"customer":{"id":"cus_1"}}',
  })
  @IsOptional()
  @IsJSON({ message: 'payload must be a JSON object or array that the event payload contains, such as {"customer":"acme"}' })
  @MaxLength(10_000)
  payload?: string;

  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    default: 'desc',
    description: '`desc`: newest first. `asc`: the pull feed, oldest first, only events whose commit is settled',
  })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'order must be asc or desc' })
  order?: 'asc' | 'desc';
}
