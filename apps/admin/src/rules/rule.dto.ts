import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsOptional, IsString, IsUUID, MinLength, ValidateNested } from 'class-validator';
import { CatalogQueryDto } from '../catalog/catalog-query.dto';

/** `retry` of a rule or step. */
export class RetryPolicyDto {
  @ApiPropertyOptional({ example: 6, description: 'Total tries, the first included (1–100; default 8).' })
  attempts?: number;

  @ApiPropertyOptional({ enum: ['exponential', 'fixed'] })
  backoff?: string;

  @ApiPropertyOptional({ example: '2s' })
  delay?: string;

  @ApiPropertyOptional({ example: '1h' })
  maxDelay?: string;
}

/** A step: its `type` decides its other fields (README, "Rules"). */
export class StepDefinitionDto {
  @ApiProperty({ example: 'notify' })
  id!: string;

  @ApiProperty({
    enum: ['http', 'transform', 'email', 'db'],
    description:
      'Decides the other fields. http: method, url, headers, body, timeout, sign. email: to, cc, bcc, replyTo, from, subject, text, html, timeout. ' +
      'db: connection, table, mode, key, values. transform: expression.',
  })
  type!: string;

  @ApiPropertyOptional({ description: 'JSONata; the step runs when it is true.' })
  when?: string;

  @ApiPropertyOptional({ type: RetryPolicyDto })
  retry?: RetryPolicyDto;

  @ApiPropertyOptional()
  continueOnError?: boolean;
}

/**
 * The body of POST and PUT /rules: a rule exactly as written in a rules file. It documents the body;
 * the body itself is checked by the rules file checks, so problems read as they would for a file
 * (422 `validation_failed`).
 */
export class RuleDefinitionDto {
  @ApiProperty({ example: 'large-order', description: 'PUT: optional, and must equal the id in the path.' })
  id!: string;

  @ApiProperty({ example: 'shop', description: 'An existing source id, or "*" for every source.' })
  source!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiPropertyOptional({ description: 'Default true; false creates the rule paused. PUT without it keeps the state.' })
  enabled?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['order.*'], description: 'Globs on the event type; absent: every type.' })
  events?: string[];

  @ApiPropertyOptional({ example: 'payload.total >= 100', description: 'JSONata.' })
  when?: string;

  @ApiPropertyOptional({ type: RetryPolicyDto })
  retry?: RetryPolicyDto;

  @ApiProperty({ type: [StepDefinitionDto], description: '`${VAR}` references stay in the stored rule and are resolved by the engine.' })
  steps!: StepDefinitionDto[];
}

/** GET /rules filters. */
export class RuleQueryDto extends CatalogQueryDto {
  @ApiPropertyOptional({ description: 'Only the rules of this source id (or "*").' })
  @IsOptional()
  @IsString()
  source?: string;
}

/** An event made up for a dry run. */
export class SampleEventDto {
  @ApiPropertyOptional({ example: 'shop', description: "Default: the rule's source." })
  @IsOptional()
  @IsString()
  @MinLength(1)
  source?: string;

  @ApiPropertyOptional({
    example: 'order.created',
    description: "Default: what the source's `eventType` (or its provider's convention) gives for this payload and headers.",
  })
  @IsOptional()
  @IsString()
  type?: string;

  @ApiProperty({ example: { id: 'ord_1', type: 'order.created', total: 250 } })
  @IsDefined()
  payload!: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { 'x-request-id': 'abc' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, unknown>;
}

/** POST /rules/:id/test: a sample event or a stored one. */
export class RuleTestDto {
  @ApiPropertyOptional({ type: SampleEventDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SampleEventDto)
  event?: SampleEventDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'A stored event, instead of a sample.' })
  @IsOptional()
  @IsUUID()
  eventId?: string;
}

/** POST /rules/test: a rule not saved yet, and the event to try it on. */
export class UnsavedRuleTestDto extends RuleTestDto {
  @ApiProperty({ type: RuleDefinitionDto, description: 'Checked as POST /rules checks it (422 when it is not valid).' })
  @IsObject()
  rule!: Record<string, unknown>;
}
