import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { SourceEntity } from './source.entity';

/**
 * - `received`: committed by ingest, not yet dispatched (the outbox sweeper looks for these);
 * - `dispatched`: its runs are created; `unmatched`: no rule matched, nothing to run;
 * - `ignored`: a type its source does not allow (`events`, `unknownEvents: ignore`): kept so a
 *   retried delivery dedupes and operators can see it, never queued, swept or dispatched.
 */
export type EventStatus = 'received' | 'dispatched' | 'unmatched' | 'ignored';

/** A verified delivery, stored as received: raw bytes, headers and parsed payload. */
@Entity({ name: 'events' })
@Unique('uq_events_source_idempotency_key', ['sourceId', 'idempotencyKey'])
@Index('idx_events_received_pending', ['receivedAt'], { where: "status = 'received'" })
@Index('idx_events_received_at_id', ['receivedAt', 'id'])
@Index('idx_events_source_received', ['sourceId', 'receivedAt'])
@Index('idx_events_insert_xid_id', ['insertXid', 'id'])
@Index('idx_events_source_insert_xid_id', ['sourceId', 'insertXid', 'id'])
export class EventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  @ManyToOne(() => SourceEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'source_id', foreignKeyConstraintName: 'fk_events_source' })
  source?: SourceEntity;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ type: 'text', nullable: true })
  type!: string | null;

  @Column({ type: 'text' })
  status!: EventStatus;

  /** Request headers, names lower-cased. */
  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ name: 'content_type', type: 'text', nullable: true })
  contentType!: string | null;

  @Column({ name: 'raw_body', type: 'bytea' })
  rawBody!: Buffer;

  /** GIN-indexed (jsonb_path_ops) for `payload @> …` filters: made by migration, TypeORM cannot describe it. */
  @Index('idx_events_payload', { synchronize: false })
  @Column({ type: 'jsonb', nullable: true })
  payload!: unknown;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;

  /**
   * The id of the transaction that inserted the event (a bigint string): the pull feed's order. The
   * feed serves an event only once every transaction older than the oldest still running has ended,
   * so no event can later appear before a position already read.
   */
  @Column({ name: 'insert_xid', type: 'bigint', default: () => 'hookflow_current_xid()', select: false, insert: false })
  insertXid!: string;
}
