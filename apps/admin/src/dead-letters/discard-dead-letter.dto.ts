import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class DiscardDeadLetterDto {
  @ApiProperty({
    description: 'Why the dead letter is dropped (kept with it)',
    example: 'duplicate of a manual refund',
    minLength: 1,
    maxLength: 1000,
  })
  @IsString({ message: 'reason must be a sentence saying why the dead letter is discarded' })
  @Length(1, 1000, { message: 'reason must be from 1 to 1000 characters' })
  reason!: string;
}
