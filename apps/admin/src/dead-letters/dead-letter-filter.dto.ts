import { DeadLetterCause, DeadLetterStatus } from '@hookflow/persistence';
import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination/page';

export const DEAD_LETTER_STATUSES: readonly DeadLetterStatus[] = ['pending', 'replayed', 'resolved', 'discarded'];
export const DEAD_LETTER_CAUSES: readonly DeadLetterCause[] = [
  'destination_4xx',
  'destination_5xx',
  'network',
  'timeout',
  'circuit_open',
  'evaluation',
  'config',
  'system',
];

/** The filters a dead letter listing and a bulk replay share (all but `status`). */
export class DeadLetterSelectionDto {
  @ApiPropertyOptional({ description: 'Rule id' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  rule?: string;

  @ApiPropertyOptional({ description: "Source id of the dead letter's event" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  source?: string;

  @ApiPropertyOptional({ enum: DEAD_LETTER_CAUSES })
  @IsOptional()
  @IsIn(DEAD_LETTER_CAUSES, { message: `cause must be one of ${DEAD_LETTER_CAUSES.join(', ')}` })
  cause?: DeadLetterCause;

  @ApiPropertyOptional({ description: 'Created at or after this time (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 time such as 2026-01-01T00:00:00Z' })
  from?: string;

  @ApiPropertyOptional({ description: 'Created before this time (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 time such as 2026-01-02T00:00:00Z' })
  to?: string;
}

/** Filters of `GET /dead-letters`, newest first. */
export class ListDeadLettersQueryDto extends IntersectionType(PageQueryDto, DeadLetterSelectionDto) {
  @ApiPropertyOptional({ enum: DEAD_LETTER_STATUSES })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES, { message: `status must be one of ${DEAD_LETTER_STATUSES.join(', ')}` })
  status?: DeadLetterStatus;
}
