import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { RunEntity } from './run.entity';

export type StepAttemptStatus = 'succeeded' | 'failed';

/** One try of one step of a run: what was sent, what came back, how long it took. */
@Entity({ name: 'step_attempts' })
@Unique('uq_step_attempts_run_step_attempt', ['runId', 'stepId', 'attempt'])
export class StepAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @ManyToOne(() => RunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_step_attempts_run' })
  run?: RunEntity;

  @Column({ name: 'step_id', type: 'text' })
  stepId!: string;

  /** 1 for the first try of this step. */
  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'text' })
  status!: StepAttemptStatus;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  /** A summary of the request (method, url, header names); never secrets. */
  @Column({ type: 'jsonb', nullable: true })
  request!: Record<string, unknown> | null;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  /** The step's output (for http: status, headers, body), available to later steps as `steps.<id>.output`. */
  @Column({ type: 'jsonb', nullable: true })
  output!: unknown;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /**
   * Set when a replay from a step copied this attempt from an earlier run instead of making it: the
   * run that made it (nothing was sent again).
   */
  @Column({ name: 'carried_from', type: 'uuid', nullable: true })
  carriedFrom!: string | null;
}
