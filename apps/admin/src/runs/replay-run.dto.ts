import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** `POST /runs/:id/replay`: the whole run again, or from one of its steps on. */
export class ReplayRunDto {
  @ApiPropertyOptional({
    description:
      'Start at this step of the rule’s current version: the steps before it are carried over from the replayed run ' +
      '(their succeeded attempts copied, nothing sent again), this step and the ones after it execute again',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  fromStep?: string;

  @ApiPropertyOptional({
    description: 'Replay even while runs of the event for this rule have not finished (otherwise 409 `runs_in_flight`)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}
