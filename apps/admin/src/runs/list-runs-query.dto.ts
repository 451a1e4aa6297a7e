import { RunStatus } from '@hookflow/persistence';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination/page';

export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'retrying', 'succeeded', 'failed'];

/** Filters of `GET /runs`, newest first. */
export class ListRunsQueryDto extends PageQueryDto {
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

  @ApiPropertyOptional({ description: 'Created at or after this time (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 time such as 2026-01-01T00:00:00Z' })
  from?: string;

  @ApiPropertyOptional({ description: 'Created before this time (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 time such as 2026-01-02T00:00:00Z' })
  to?: string;
}
