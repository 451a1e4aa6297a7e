import { EventStatus, RunStatus } from '@hookflow/persistence';
import { ApiProperty } from '@nestjs/swagger';

export class EventSummaryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() sourceId!: string;
  @ApiProperty({ type: String, nullable: true }) type!: string | null;
  @ApiProperty({ enum: ['received', 'dispatched', 'unmatched'] }) status!: EventStatus;
  @ApiProperty() idempotencyKey!: string;
  @ApiProperty({ type: String, nullable: true }) contentType!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dispatchedAt!: string | null;
  @ApiProperty({ description: 'Size of the raw body' }) bodyBytes!: number;
  @ApiProperty({ description: 'The parsed payload', nullable: true }) payload!: unknown;
}

export class EventPageView {
  @ApiProperty({ type: [EventSummaryView] }) items!: EventSummaryView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `after` for the next page. In `asc` order it is always given once there is a position: keep polling with it',
  })
  nextCursor!: string | null;
}

export class EventBodyView {
  @ApiProperty({ description: 'The raw body as received, base64' }) base64!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The raw body as text, when it is valid UTF-8' }) text!: string | null;
  @ApiProperty() bytes!: number;
}

export class EventRunView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty() ruleVersion!: number;
  @ApiProperty({ description: '0 for the run dispatch made, n for the n-th replay' }) replay!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) replayOf!: string | null;
  @ApiProperty({ enum: ['pending', 'running', 'retrying', 'succeeded', 'failed'] }) status!: RunStatus;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}

export class EventDetailView extends EventSummaryView {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Request headers, names lower-cased; signature, token and credential headers show [redacted]',
  })
  headers!: Record<string, string>;

  @ApiProperty({ type: EventBodyView }) body!: EventBodyView;
  @ApiProperty({ type: [EventRunView] }) runs!: EventRunView[];
}

export class ReplayedRunView {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty() ruleVersion!: number;
  @ApiProperty() replay!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) replayOf!: string | null;
  @ApiProperty({ type: [String], description: 'Pending dead letters of this event and rule that the run now settles' })
  deadLettersReplayed!: string[];
}

export class SkippedRuleView {
  @ApiProperty() ruleId!: string;
  @ApiProperty({ enum: ['source', 'event_type', 'when', 'when_failed', 'not_compiled'] }) reason!: string;
  @ApiProperty() message!: string;
}

export class EventReplayView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ type: [ReplayedRunView], description: 'One new run per rule that matched' }) runs!: ReplayedRunView[];
  @ApiProperty({ type: [SkippedRuleView], description: 'Rules considered that did not match, and why' }) skipped!: SkippedRuleView[];
}
