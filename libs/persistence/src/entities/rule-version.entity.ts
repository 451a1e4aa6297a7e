import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RuleEntity } from './rule.entity';

/** One immutable definition of a rule. Runs record the version they ran, so history stays reviewable. */
@Entity({ name: 'rule_versions' })
export class RuleVersionEntity {
  @PrimaryColumn({ name: 'rule_id', type: 'text' })
  ruleId!: string;

  @ManyToOne(() => RuleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id', foreignKeyConstraintName: 'fk_rule_versions_rule' })
  rule?: RuleEntity;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  /** The rule as validated (source, events, when, retry, steps), secrets still as `${VAR}` references. */
  @Column({ type: 'jsonb' })
  definition!: Record<string, unknown>;

  /** SHA-256 of the canonical definition: an unchanged rule makes no new version. */
  @Column({ type: 'text' })
  checksum!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
