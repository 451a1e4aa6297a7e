import { DEAD_LETTER_CAUSES, DEAD_LETTER_STATUSES, DeadLetterCause, DeadLetterStatus } from '@hookflow/persistence';
import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination/page';
import { TimeRangeQueryDto } from '../validation/time-range-query.dto';

/** The filters a dead letter listing and a bulk replay share (all but `status`). `from` and `to` bound the creation time. */
export class DeadLetterSelectionDto extends TimeRangeQueryDto {
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

  @ApiPropertyOptional({ description: 'Text the error contains (case-insensitive)', example: 'answered 503' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  error?: string;

  @ApiPropertyOptional({
    description: "Host (and port, when not the scheme's default) that the failed step last called",
    example: 'hooks.slack.com',
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  destination?: string;
}

/** Filters of `GET /dead-letters/groups`: the listing's, without paging. */
export class DeadLetterGroupsQueryDto extends DeadLetterSelectionDto {
  @ApiPropertyOptional({ enum: DEAD_LETTER_STATUSES })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES, { message: `status must be one of ${DEAD_LETTER_STATUSES.join(', ')}` })
  status?: DeadLetterStatus;
}

/** Filters of `GET /dead-letters`, newest first. */
export class ListDeadLettersQueryDto extends IntersectionType(PageQueryDto, DeadLetterGroupsQueryDto) {}
