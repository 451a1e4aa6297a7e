import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Where a source or rule definition comes from: a YAML file is read-only through the API. */
export type DefinitionOrigin = 'yaml' | 'api';

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
