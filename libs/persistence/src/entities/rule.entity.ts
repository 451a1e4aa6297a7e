import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DefinitionOrigin } from './source.entity';

/** A rule's identity and state; its definitions live in {@link RuleVersionEntity}. */
@Entity({ name: 'rules' })
export class RuleEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  /** A source id, or `*` for every source. */
  @Index('idx_rules_source_id')
  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  @Column({ name: 'current_version', type: 'integer' })
  currentVersion!: number;

  @Column({ type: 'text' })
  origin!: DefinitionOrigin;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
