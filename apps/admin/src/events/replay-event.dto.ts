import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** `POST /events/:id/replay`: every current rule that matches, or the one named. */
export class ReplayEventDto {
  @ApiPropertyOptional({ description: 'Replay through this rule only' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  ruleId?: string;

  @ApiPropertyOptional({
    description: 'Replay even while runs of the event for these rules have not finished (otherwise 409 `runs_in_flight`)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}
