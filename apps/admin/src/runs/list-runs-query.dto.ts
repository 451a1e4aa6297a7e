import { RunStatus } from '@hookflow/persistence';
import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination/page';
import { TimeRangeQueryDto } from '../validation/time-range-query.dto';

export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'retrying', 'succeeded', 'failed'];

/** Filters of `GET /runs/counts`: a rule, and the creation time (default: the last 24 hours). */
export class RunCountsQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({ description: 'Rule id' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  rule?: string;
}

/** Filters of `GET /runs`, newest first. `from` and `to` bound the creation time. */
export class ListRunsQueryDto extends IntersectionType(PageQueryDto, TimeRangeQueryDto) {
  @ApiPropertyOptional({ description: 'Rule id' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  rule?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES, { message: `status must be one of ${RUN_STATUSES.join(', ')}` })
  status?: RunStatus;

  @ApiPropertyOptional({ description: 'Event id', format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'event must be an event id (a UUID)' })
  event?: string;
}
