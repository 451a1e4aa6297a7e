import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROVIDERS } from '@hookflow/rules';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsDateTime } from '../validation/date-time.validator';

/**
 * The body of POST and PUT /sources: a source exactly as written in a rules file (README, "Rules").
 * It documents the body; the body itself is checked by the rules file checks, so problems read as
 * they would for a file (422 `validation_failed`).
 */
export class SourceDefinitionDto {
  @ApiProperty({ example: 'stripe', description: 'The URL is /hooks/<id>. PUT: optional, and must equal the id in the path.' })
  id!: string;

  @ApiProperty({ enum: [...PROVIDERS], example: 'stripe' })
  provider!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiPropertyOptional({ description: 'Default true; false creates the source paused.' })
  enabled?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['whsec_…'],
    description:
      'Signing secrets, passwords or tokens (${VAR} references resolve from the admin process environment). Write-only: stored encrypted, never returned. ' +
      'PUT without `secrets` keeps the stored ones (with their expiries).',
  })
  secrets?: string[];

  @ApiPropertyOptional({ example: '300s', description: 'Replay window of timestamped schemes.' })
  tolerance?: string;

  @ApiPropertyOptional({ type: [String], example: ['203.0.113.0/24'] })
  allowIps?: string[];

  @ApiPropertyOptional({ example: 'payload.type', description: 'JSONata giving the event type.' })
  eventType?: string;

  @ApiPropertyOptional({ example: 'payload.id', description: 'JSONata giving the idempotency key.' })
  idempotencyKey?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['payment_intent.*', 'charge.refunded'],
    description: 'Globs on the event type: the types this source may deliver. Absent: every type.',
  })
  events?: string[];

  @ApiPropertyOptional({
    enum: ['ignore', 'reject'],
    description:
      'A verified delivery of a type `events` does not allow: ignore (default) answers 202 and stores the event as ignored, running nothing; reject answers 422 `event_type_not_allowed`.',
  })
  unknownEvents?: 'ignore' | 'reject';

  @ApiPropertyOptional({
    oneOf: [
      { type: 'object', additionalProperties: true },
      {
        type: 'array',
        items: {
          type: 'object',
          required: ['events', 'schema'],
          properties: { events: { type: 'array', items: { type: 'string' } }, schema: { type: 'object', additionalProperties: true } },
        },
      },
    ],
    example: { type: 'object', required: ['id', 'type'] },
    description:
      'A JSON Schema (draft-07) every payload must satisfy before it is stored (422 `schema_violation` otherwise), or a list of { events, schema } ' +
      'where the first entry whose globs match the event type applies. Inline only here: file paths are read from a rules directory.',
  })
  schema?: Record<string, unknown> | { events: string[]; schema: Record<string, unknown> }[];

  @ApiPropertyOptional({
    type: 'object',
    required: ['perSecond'],
    properties: { perSecond: { type: 'number', minimum: 0 }, burst: { type: 'integer', minimum: 1 } },
    example: { perSecond: 100, burst: 200 },
    description:
      'Deliveries per second across every ingest process (429 `rate_limited` with Retry-After beyond); burst defaults to twice perSecond; ' +
      'perSecond 0: no limit. Default: HOOKFLOW_RATE_LIMIT_PER_SECOND and _BURST.',
  })
  rateLimit?: { perSecond: number; burst?: number };
}

/** POST /sources/:id/secrets: a rotation. */
export class AddSecretDto {
  @ApiProperty({ description: 'The new secret. Write-only: stored encrypted, shown only as a fingerprint.' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  secret!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2030-01-01T00:00:00Z',
    description:
      'The source’s other secrets stay valid until this time, then stop being accepted (a time already past retires them at once). ' +
      'Without it they stay valid until removed (DELETE /sources/:id/secrets/:fingerprint).',
  })
  @IsOptional()
  @IsDateTime()
  keepOldUntil?: string;
}
