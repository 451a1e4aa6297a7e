import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RunEntity } from './run.entity';

/** Whose fault a dead letter is, so operators can tell "their outage" from "our bug". */
export const DEAD_LETTER_CAUSES = [
  'destination_4xx',
  'destination_5xx',
  'network',
  'timeout',
  'circuit_open',
  'evaluation',
  'config',
  'system',
] as const;
export type DeadLetterCause = (typeof DEAD_LETTER_CAUSES)[number];

/**
 * - `pending`: waits for an operator; `replayed`: a replay run was made (if it fails, its own dead
 *   letter carries on); `resolved`: a replay in its chain succeeded; `discarded`: dropped, with a reason.
 */
export const DEAD_LETTER_STATUSES = ['pending', 'replayed', 'resolved', 'discarded'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** A run that will not succeed by itself, with everything needed to review and replay it. */
@Entity({ name: 'dead_letters' })
@Index('idx_dead_letters_status_created', ['status', 'createdAt'])
@Index('idx_dead_letters_rule_created', ['ruleId', 'createdAt'])
export class DeadLetterEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('uq_dead_letters_run_id', { unique: true })
  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @ManyToOne(() => RunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_dead_letters_run' })
  run?: RunEntity;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'rule_id', type: 'text' })
  ruleId!: string;

  @Column({ name: 'step_id', type: 'text', nullable: true })
  stepId!: string | null;

  @Column({ type: 'text' })
  cause!: DeadLetterCause;

  @Column({ type: 'text' })
  error!: string;

  /** The run's step attempts at the time it died, oldest first. */
  @Column({ type: 'jsonb' })
  attempts!: unknown[];

  @Column({ type: 'text', default: 'pending' })
  status!: DeadLetterStatus;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  /** The run made by replaying this dead letter. */
  @Index('idx_dead_letters_replay_run_id')
  @Column({ name: 'replay_run_id', type: 'uuid', nullable: true })
  replayRunId!: string | null;

  @Column({ name: 'discard_reason', type: 'text', nullable: true })
  discardReason!: string | null;
}
