import { DEAD_LETTER_CAUSES, DeadLetterCause, DeadLetterStatus, RunStatus, StepAttemptStatus } from '@hookflow/persistence';
import { ApiProperty } from '@nestjs/swagger';
import { ReplayedRunView } from '../events/event.views';

export class RunDeadLetterView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['pending', 'replayed', 'resolved', 'discarded'] }) status!: DeadLetterStatus;
  @ApiProperty({ enum: DEAD_LETTER_CAUSES }) cause!: DeadLetterCause;
}

export class RunView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() sourceId!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty() ruleVersion!: number;
  @ApiProperty({ description: '0 for the run dispatch made, n for the n-th replay of the event for the rule' }) replay!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The run this one replays' }) replayOf!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'A replay from a step: the step it started at (the steps before it were carried over from `replayOf`)',
  })
  fromStep!: string | null;
  @ApiProperty({ enum: ['pending', 'running', 'retrying', 'succeeded', 'failed'] }) status!: RunStatus;
  @ApiProperty({ description: 'How many times a worker took the run up' }) executions!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: RunDeadLetterView, nullable: true }) deadLetter!: RunDeadLetterView | null;
}

export class RunCountView {
  @ApiProperty() ruleId!: string;
  @ApiProperty({ enum: ['pending', 'running', 'retrying', 'succeeded', 'failed'] }) status!: RunStatus;
  @ApiProperty() count!: number;
}

export class RunCountsView {
  @ApiProperty({ format: 'date-time', description: 'Runs created at or after this time' }) from!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'and before this time (null: up to now)' })
  to!: string | null;
  @ApiProperty({ type: [RunCountView], description: 'One line per rule and status that has runs, by rule id' }) items!: RunCountView[];
}

export class RunPageView {
  @ApiProperty({ type: [RunView] }) items!: RunView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class StepAttemptView {
  @ApiProperty() stepId!: string;
  @ApiProperty({ description: '1 for the first try of the step' }) attempt!: number;
  @ApiProperty({ enum: ['succeeded', 'failed'] }) status!: StepAttemptStatus;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What was sent (method, url, header names); never secrets',
  })
  request!: Record<string, unknown> | null;
  @ApiProperty({ type: Number, nullable: true }) responseStatus!: number | null;
  @ApiProperty({ nullable: true, description: 'The step output (for http: status, headers, body)' }) output!: unknown;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'Set when a replay from a step carried this attempt over instead of making it: the run that made it (nothing was sent again)',
  })
  carriedFrom!: string | null;
}

export class RunDetailView extends RunView {
  @ApiProperty({ type: [StepAttemptView], description: 'Every step attempt, in the order they happened' }) attempts!: StepAttemptView[];
}

export class RunReplayView extends ReplayedRunView {
  @ApiProperty({ type: String, nullable: true, description: 'The step the new run starts at (null: it runs every step)' })
  fromStep!: string | null;
  @ApiProperty({ type: [String], description: 'The steps before `fromStep` whose succeeded attempts the new run carries over' })
  carriedSteps!: string[];
}
