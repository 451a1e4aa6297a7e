import { DEAD_LETTER_CAUSES, DEAD_LETTER_STATUSES, DeadLetterCause, DeadLetterStatus } from '@hookflow/persistence';
import { ApiProperty } from '@nestjs/swagger';

export class DeadLetterView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The run that died' }) runId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() sourceId!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The step that failed, if one did' }) stepId!: string | null;
  @ApiProperty({ description: `Whose fault: ${DEAD_LETTER_CAUSES.join(', ')}` })
  cause!: DeadLetterCause;
  @ApiProperty() error!: string;
  @ApiProperty({ enum: DEAD_LETTER_STATUSES }) status!: DeadLetterStatus;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The run made by replaying it' }) replayRunId!: string | null;
  @ApiProperty({ type: String, nullable: true }) discardReason!: string | null;
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

export class BulkReplayCountView {
  @ApiProperty({ description: 'How many pending dead letters the replay would take' }) count!: number;
}
