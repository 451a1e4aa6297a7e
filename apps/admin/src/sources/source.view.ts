import { DefinitionOrigin } from '@hookflow/persistence';
import { ApiProperty } from '@nestjs/swagger';

/** A secret as the API shows it: never its value. */
export class SecretView {
  @ApiProperty({ example: '9f86d081884c', description: 'The first 12 hex digits of the SHA-256 of the secret.' })
  fingerprint!: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When deliveries signed with it stop being accepted (set by a rotation); null: no expiry.',
  })
  expiresAt!: string | null;
}

/** A source: how its deliveries (POST /hooks/:id) are verified. */
export class SourceView {
  @ApiProperty({ example: 'stripe' })
  id!: string;

  @ApiProperty({ example: 'stripe' })
  provider!: string;

  @ApiProperty({ description: 'A paused source answers its deliveries 404.' })
  enabled!: boolean;

  @ApiProperty({
    enum: ['yaml', 'api', 'yaml-removed'],
    description:
      "'yaml': from the rules directory, read-only here; 'api': created or taken over through this API; " +
      "'yaml-removed': the rules directory no longer defines it (disabled): editable here, or taken back by the directory.",
  })
  origin!: DefinitionOrigin;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { eventType: 'payload.type', tolerance: '300s' },
    description: 'Every field of the definition but id, provider, enabled and secrets.',
  })
  settings!: Record<string, unknown>;

  @ApiProperty({ type: [SecretView] })
  secrets!: SecretView[];

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
