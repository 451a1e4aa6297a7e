import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsDateTime, parseDateTime } from './date-time.validator';

/**
 * `?from=&to=` of every listing filtered by time (events by reception, runs and dead letters by
 * creation), and of the bulk replay's filter. Both are RFC 3339 date-times naming a real instant,
 * so a time that passes here is one the query can use.
 */
export class TimeRangeQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'At or after this time (RFC 3339)', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Before this time (RFC 3339)', example: '2026-01-02T00:00:00Z' })
  @IsOptional()
  @IsDateTime()
  to?: string;
}

/** The instants of a validated time range. */
export function timeRangeOf(range: TimeRangeQueryDto): { from?: Date; to?: Date } {
  return {
    from: range.from === undefined ? undefined : parseDateTime(range.from),
    to: range.to === undefined ? undefined : parseDateTime(range.to),
  };
}
