import { DefinitionOrigin } from '@hookflow/persistence';
import { ApiProperty } from '@nestjs/swagger';

/** A rule with its current definition. */
export class RuleView {
  @ApiProperty({ example: 'large-order' })
  id!: string;

  @ApiProperty({ example: 'shop', description: 'A source id, or "*".' })
  source!: string;

  @ApiProperty({ description: 'A paused rule matches no event.' })
  enabled!: boolean;

  @ApiProperty({
    enum: ['yaml', 'api', 'yaml-removed'],
    description:
      "'yaml': from the rules directory, read-only here; 'api': created or taken over through this API; " +
      "'yaml-removed': the rules directory no longer defines it (disabled): editable here, or taken back by the directory.",
  })
  origin!: DefinitionOrigin;

  @ApiProperty({ example: 2, description: 'The current version; runs record the version they ran.' })
  version!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The definition as written (without `enabled`), `${VAR}` references unresolved.',
  })
  definition!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** One immutable version of a rule. */
export class RuleVersionView {
  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ description: 'Whether this is the version new events run with.' })
  current!: boolean;

  @ApiProperty({ description: 'SHA-256 of the canonical definition: the same definition never makes a new version.' })
  checksum!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  definition!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
