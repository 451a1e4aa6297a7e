import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { EventEntity } from './event.entity';
import { RuleVersionEntity } from './rule-version.entity';

/**
 * - `pending`: created, never started; `running`: a worker executes it;
 * - `retrying`: a step failed and a delayed job will resume it at that step;
 * - `succeeded`; `failed`: attempts exhausted or not retryable, a dead letter holds its history.
 */
export type RunStatus = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed';

/**
 * One execution of one rule version for one event. Dispatch makes replay 0; each replay of the
 * event for the rule (an operator's, through the admin API) makes the next number.
 */
@Entity({ name: 'runs' })
@Unique('uq_runs_event_rule_replay', ['eventId', 'ruleId', 'replay'])
@Index('idx_runs_status_next_attempt', ['status', 'nextAttemptAt'])
@Index('idx_runs_created_at', ['createdAt'])
@Index('idx_runs_rule_created', ['ruleId', 'createdAt'])
@Index('idx_runs_failed_finished', ['finishedAt'], { where: "status = 'failed'" })
export class RunEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'rule_id', type: 'text' })
  ruleId!: string;

  @Column({ name: 'rule_version', type: 'integer' })
  ruleVersion!: number;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'fk_runs_event' })
  event?: EventEntity;

  @ManyToOne(() => RuleVersionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'rule_id', referencedColumnName: 'ruleId', foreignKeyConstraintName: 'fk_runs_rule_version' },
    { name: 'rule_version', referencedColumnName: 'version', foreignKeyConstraintName: 'fk_runs_rule_version' },
  ])
  ruleVersionDefinition?: RuleVersionEntity;

  @Column({ type: 'text' })
  status!: RunStatus;

  /** 0 for the run dispatch made; n for the n-th replay of this event for this rule. */
  @Column({ type: 'integer', default: 0 })
  replay!: number;

  /** The run this one replays (a dead letter's run, say), if it is a replay. */
  @Column({ name: 'replay_of', type: 'uuid', nullable: true })
  replayOf!: string | null;

  /**
   * Set on a replay from a step: the step it starts at. The steps before it were carried over from
   * `replayOf` (their attempts copied, `carried_from` set) and are never executed by this run.
   */
  @Column({ name: 'from_step', type: 'text', nullable: true })
  fromStep!: string | null;

  /** How many times a worker has taken this run up; names the next BullMQ job. */
  @Column({ type: 'integer', default: 0 })
  executions!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
