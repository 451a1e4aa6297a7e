import { DefinitionOrigin } from '@hookflow/persistence';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../pagination/page';

/** Filters shared by the source and rule listings. */
export class CatalogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: ['yaml', 'api', 'yaml-removed'],
    description: 'Only items from the rules directory, those created through the API, or those the directory no longer defines.',
  })
  @IsOptional()
  @IsIn(['yaml', 'api', 'yaml-removed'])
  origin?: DefinitionOrigin;

  @ApiPropertyOptional({ description: 'Only enabled (true) or only paused (false) items.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  enabled?: boolean;
}
