import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Where a source or rule definition comes from. `yaml`: the rules directory, read-only through the
 * API. `api`: the admin API. `yaml-removed`: the directory defined it and no longer does; it is
 * disabled, the API may now edit, resume or delete it (it becomes `api`), and the directory takes it
 * back if it defines it again first. `system`: Hookflow's own (the built-in {@link SYSTEM_SOURCE_ID}),
 * made by a migration, which neither the directory nor the API may change.
 */
export type DefinitionOrigin = 'yaml' | 'api' | 'yaml-removed' | 'system';

/** Whether the admin API may change a definition of this origin. */
export const isApiWritable = (origin: DefinitionOrigin): boolean => origin !== 'yaml' && origin !== 'system';

/**
 * The built-in source of Hookflow's own events (`run.dead_lettered`, `source.silent`, …): rules
 * that name it alert operators. It takes no delivery from outside (POST /hooks/hookflow is 404),
 * `*` rules never see its events, and no rules file or API call may define a source of this id.
 */
export const SYSTEM_SOURCE_ID = 'hookflow';

/** A webhook endpoint, `POST /hooks/:id`, and how its deliveries are verified. */
@Entity({ name: 'sources' })
export class SourceEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  provider!: string;

  /** Non-secret settings (header names, expressions, tolerance, …) as written in the definition. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings!: Record<string, unknown>;

  /** The source's secrets, AES-256-GCM encrypted under the master key (see SecretBox). */
  @Column({ name: 'secrets_encrypted', type: 'text', nullable: true })
  secretsEncrypted!: string | null;

  @Column({ type: 'text' })
  origin!: DefinitionOrigin;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
