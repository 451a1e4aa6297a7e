import { EventRow, EventStatus, RunStatus } from '@hookflow/persistence';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class EventSummaryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() sourceId!: string;
  @ApiProperty({ type: String, nullable: true }) type!: string | null;
  @ApiProperty({
    enum: ['received', 'dispatched', 'unmatched', 'ignored'],
    description: "'ignored': of a type its source does not allow (`events`); stored, never run.",
  })
  status!: EventStatus;
  @ApiProperty() idempotencyKey!: string;
  @ApiProperty({ type: String, nullable: true }) contentType!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dispatchedAt!: string | null;
  @ApiProperty({ description: 'Size of the raw body; listings leave the payload and body out (GET /events/:id has them)' })
  bodyBytes!: number;
}

/** What a listing shows of an event. */
export function summaryView(event: EventRow): EventSummaryView {
  return {
    id: event.id,
    sourceId: event.sourceId,
    type: event.type,
    status: event.status,
    idempotencyKey: event.idempotencyKey,
    contentType: event.contentType,
    receivedAt: event.receivedAt.toISOString(),
    dispatchedAt: event.dispatchedAt?.toISOString() ?? null,
    bodyBytes: event.bodyBytes,
  };
}

export class HeldBackView {
  @ApiProperty({ description: 'Committed events of this listing that wait for an older transaction to end (counted up to 1,000)' })
  events!: number;
  @ApiProperty({ description: 'True when there are more than `events`' }) truncated!: boolean;
  @ApiProperty({ format: 'date-time', description: 'The earliest receive time among them' }) oldestReceivedAt!: string;
}

export class EventPageView {
  @ApiProperty({ type: [EventSummaryView] }) items!: EventSummaryView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `after` for the next page. In `asc` order it is always given: keep polling with it',
  })
  nextCursor!: string | null;

  @ApiPropertyOptional({
    type: HeldBackView,
    description:
      '`asc` order only, on a page shorter than `limit`: events that have committed but are not served yet because a ' +
      'transaction that started before them (anywhere in the PostgreSQL cluster) is still running. They will be served, ' +
      'after this position, once it ends',
  })
  heldBack?: HeldBackView;
}

export class EventFeedHeadView {
  @ApiProperty({
    description:
      'A feed cursor after every event settled now: pass it as `after` with `order=asc` to receive only what settles from now on',
  })
  cursor!: string;
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
  @ApiProperty({ description: 'The parsed payload', nullable: true }) payload!: unknown;

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
