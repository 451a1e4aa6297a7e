import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { DeadLetterSelectionDto } from './dead-letter-filter.dto';

/** Which dead letters a bulk replay takes: pending ones, narrowed by the listing's filters. */
export class BulkReplayFilterDto extends DeadLetterSelectionDto {
  @ApiPropertyOptional({ enum: ['pending'], description: 'Only pending dead letters are replayed' })
  @IsOptional()
  @IsIn(['pending'], { message: 'status can only be pending: only pending dead letters can be replayed' })
  status?: 'pending';
}

export class BulkReplayDto {
  @ApiProperty({ type: BulkReplayFilterDto, description: 'Which pending dead letters to replay; {} for all of them' })
  @IsDefined({ message: 'filter must be given ({} replays every pending dead letter)' })
  @ValidateNested()
  @Type(() => BulkReplayFilterDto)
  filter!: BulkReplayFilterDto;

  @ApiPropertyOptional({ default: false, description: 'Only count the dead letters that would be replayed' })
  @IsOptional()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}
