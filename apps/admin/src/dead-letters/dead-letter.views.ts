import { DEAD_LETTER_CAUSES, DEAD_LETTER_STATUSES, DeadLetterCause, DeadLetterStatus } from '@hookflow/persistence';
import { ApiProperty } from '@nestjs/swagger';

export class DeadLetterView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The run that died' }) runId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() sourceId!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The step that failed, if one did' }) stepId!: string | null;
  @ApiProperty({
    enum: DEAD_LETTER_CAUSES,
    description: 'Whose fault (DESIGN.md): the destination, our rule or configuration, or Hookflow',
  })
  cause!: DeadLetterCause;
  @ApiProperty() error!: string;
  @ApiProperty({ enum: DEAD_LETTER_STATUSES }) status!: DeadLetterStatus;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The run made by replaying it' }) replayRunId!: string | null;
  @ApiProperty({ type: String, nullable: true }) discardReason!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Host[:port] the failed step last called; null when it made no HTTP request (an email or db step, or a failure before it)',
  })
  destination!: string | null;
}

export class DeadLetterPageView {
  @ApiProperty({ type: [DeadLetterView] }) items!: DeadLetterView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class DeadLetterDetailView extends DeadLetterView {
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: "The run's step attempts when it died, oldest first" })
  attempts!: unknown[];
}

export class DeadLetterReplayView {
  @ApiProperty({ format: 'uuid' }) deadLetterId!: string;
  @ApiProperty({ format: 'uuid', description: 'The new run' }) runId!: string;
  @ApiProperty({ description: "The rule's current version, which the new run uses" }) ruleVersion!: number;
  @ApiProperty({ description: 'The replay number of the new run for its event and rule' }) replay!: number;
}

export class DeadLetterCauseGroupView {
  @ApiProperty({ enum: DEAD_LETTER_CAUSES }) cause!: DeadLetterCause;
  @ApiProperty() count!: number;
}

export class DeadLetterDestinationGroupView {
  @ApiProperty({ type: String, nullable: true, description: 'null: no HTTP request was made' }) destination!: string | null;
  @ApiProperty() count!: number;
}

export class DeadLetterGroupsView {
  @ApiProperty({ description: 'Dead letters the filter selects' }) total!: number;
  @ApiProperty({ type: [DeadLetterCauseGroupView], description: 'By cause, the largest first' }) byCause!: DeadLetterCauseGroupView[];
  @ApiProperty({ type: [DeadLetterDestinationGroupView], description: 'By destination host, the largest first (at most 50)' })
  byDestination!: DeadLetterDestinationGroupView[];
}

export class BulkReplayCountView {
  @ApiProperty({ description: 'How many pending dead letters the replay would take' }) count!: number;
}
