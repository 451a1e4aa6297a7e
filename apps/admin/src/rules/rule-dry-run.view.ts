import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What every dry run answers about `${VAR}` references: they are shown as written, never resolved. */
export const VARIABLES_NOT_RESOLVED = 'not resolved in a dry run';

/** What an expression gave, or why it could not be evaluated. */
export class ExpressionOutcomeView {
  @ApiProperty({ example: 'payload.total >= 100' })
  expression!: string;

  @ApiPropertyOptional({ description: 'Its value (null for no value); absent when it failed.', example: true })
  value?: unknown;

  @ApiPropertyOptional({ description: 'Whether the value counts as true (JSONata truthiness).' })
  truthy?: boolean;

  @ApiPropertyOptional({ description: 'The evaluation error, when it failed.' })
  error?: string;
}

/** What an http step would send. */
export class DryRunRequestView {
  @ApiProperty({ example: 'POST' })
  method!: string;

  @ApiProperty({ example: 'https://hooks.example.com/${HOOK_PATH}', description: '${VAR} references stay as written.' })
  url!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Credential headers (Authorization, Cookie, X-Api-Key, …) show "[masked]"; ${VAR} references stay as written.',
  })
  headers!: Record<string, string>;

  @ApiProperty({ description: 'The rendered body.' })
  body!: unknown;

  @ApiPropertyOptional({ description: 'Standard Webhooks signing, its secret masked.' })
  sign?: { scheme: string; secret: string };
}

/** One step as a run would render it. */
export class DryRunStepView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['http', 'transform', 'email', 'db'] })
  type!: string;

  @ApiProperty({
    enum: ['rendered', 'skipped', 'failed', 'not_reached'],
    description:
      '`skipped`: its `when` is false; `failed`: its `when` or a template could not be evaluated (the run would dead-letter, cause `evaluation`, unless the step has continueOnError); `not_reached`: an earlier step failed.',
  })
  status!: 'rendered' | 'skipped' | 'failed' | 'not_reached';

  @ApiPropertyOptional({ type: ExpressionOutcomeView })
  when?: ExpressionOutcomeView;

  @ApiPropertyOptional({ type: DryRunRequestView, description: 'http steps.' })
  request?: DryRunRequestView;

  @ApiPropertyOptional({ description: 'email and db steps: the rendered input their executor would get.' })
  input?: unknown;

  @ApiPropertyOptional({ description: 'transform steps: the computed output, which later steps see.' })
  output?: unknown;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Earlier http, email or db steps this step refers to: a dry run does not execute them, so their output is a placeholder text here.',
  })
  placeholdersFrom?: string[];

  @ApiPropertyOptional()
  error?: string;
}

export class DryRunRuleView {
  @ApiProperty({ example: 'large-order' }) id!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null for an unsaved rule' }) version!: number | null;
  @ApiProperty({ example: 'shop' }) source!: string;
}

export class DryRunEventView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'A stored event, or null for a sample' }) id!: string | null;
  @ApiProperty({ example: 'shop' }) source!: string;
  @ApiProperty({ type: String, nullable: true, example: 'order.created' }) type!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

export class DryRunSourceMatchView {
  @ApiProperty() matches!: boolean;
  @ApiProperty({ description: "The rule's source, or *" }) rule!: string;
  @ApiProperty({ description: "The event's source" }) event!: string;
}

export class DryRunEventTypeMatchView {
  @ApiProperty() matches!: boolean;
  @ApiProperty({ type: [String], nullable: true, description: "The rule's globs; null: every type" }) patterns!: string[] | null;
  @ApiProperty({ type: String, nullable: true }) event!: string | null;
}

/** Does this rule match this event, and what would each step do. Nothing is sent, written or recorded. */
export class DryRunView {
  @ApiProperty({ type: DryRunRuleView, description: 'version is null for an unsaved rule.' })
  rule!: DryRunRuleView;

  @ApiProperty({ type: DryRunEventView, description: 'The event tested: a stored one (its id), or the sample (id null).' })
  event!: DryRunEventView;

  @ApiProperty({ description: 'Whether a run would be made: the source and event type match and `when` (if any) is true.' })
  matches!: boolean;

  @ApiProperty({ type: DryRunSourceMatchView })
  source!: DryRunSourceMatchView;

  @ApiProperty({ type: DryRunEventTypeMatchView, description: 'patterns null: every type.' })
  eventType!: DryRunEventTypeMatchView;

  @ApiProperty({ type: ExpressionOutcomeView, nullable: true, description: 'null when the rule has no `when`.' })
  when!: ExpressionOutcomeView | null;

  @ApiProperty({ type: [DryRunStepView] })
  steps!: DryRunStepView[];

  @ApiProperty({
    enum: [VARIABLES_NOT_RESOLVED],
    description:
      'A dry run resolves no ${VAR}: each is rendered as its own text (an expression comparing with one compares with that text), ' +
      'and an expression that compiles only with its value fails with an error saying so.',
  })
  variables!: typeof VARIABLES_NOT_RESOLVED;
}
