import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A delivery ingest refused (bad signature, unknown source, body too large, …), kept in a capped
 * log so operators can see why a provider's deliveries fail without reading process logs.
 */
@Entity({ name: 'ingest_rejections' })
@Index('idx_ingest_rejections_source_created', ['sourceId', 'createdAt'])
export class IngestRejectionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** As given in the URL: the source may not exist. */
  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  /** The reason code of the answer (`signature_mismatch`, `payload_too_large`, …). */
  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'integer' })
  status!: number;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'client_ip', type: 'text', nullable: true })
  clientIp!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** What explains the refusal (verifier, header, body length and SHA-256, skew, hint); null on rows from before it was kept. */
  @Column({ type: 'jsonb', nullable: true })
  diagnostics!: Record<string, unknown> | null;
}
