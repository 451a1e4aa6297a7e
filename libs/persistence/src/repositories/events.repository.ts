import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventEntity } from '../entities';
import { storableJson, storableText } from '../storable';

export interface NewEvent {
  id: string;
  sourceId: string;
  idempotencyKey: string;
  type: string | null;
  headers: Record<string, string>;
  contentType: string | null;
  rawBody: Buffer;
  payload: unknown;
  receivedAt: Date;
}

/** The outcome of storing a delivery: the new event, or the first one with the same key. */
export interface StoredEvent {
  eventId: string;
  duplicate: boolean;
}

@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Commits the events of one delivery, in one transaction, each unless one with the same
   * (source, idempotency key) exists. The unique index decides, so concurrent duplicates cannot
   * both get in.
   */
  async insertIfAbsent(events: NewEvent[]): Promise<StoredEvent[]> {
    return this.dataSource.transaction(async (manager) => {
      const stored: StoredEvent[] = [];
      for (const event of events) {
        const inserted: { id: string }[] = await manager.query(
          `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, content_type, raw_body, payload, received_at)
           VALUES ($1, $2, $3, $4, 'received', $5, $6, $7, $8, $9)
           ON CONFLICT ON CONSTRAINT uq_events_source_idempotency_key DO NOTHING
           RETURNING id`,
          [
            event.id,
            event.sourceId,
            storableText(event.idempotencyKey),
            storableText(event.type),
            storableJson(event.headers),
            storableText(event.contentType),
            event.rawBody,
            storableJson(event.payload),
            event.receivedAt,
          ],
        );
        if (inserted[0]) {
          stored.push({ eventId: inserted[0].id, duplicate: false });
          continue;
        }
        const [first] = await manager.query<{ id: string }[]>('SELECT id FROM events WHERE source_id = $1 AND idempotency_key = $2', [
          event.sourceId,
          storableText(event.idempotencyKey),
        ]);
        if (!first) throw new Error(`event with key ${event.idempotencyKey} conflicted but cannot be found`);
        stored.push({ eventId: first.id, duplicate: true });
      }
      return stored;
    });
  }

  findById(id: string): Promise<EventEntity | null> {
    return this.dataSource.getRepository(EventEntity).findOneBy({ id });
  }

  /** Committed events that no engine has dispatched yet, older than `olderThan` (the outbox). */
  async undispatchedIds(olderThan: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM events WHERE status = 'received' AND received_at < $1 ORDER BY received_at LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map((row) => row.id);
  }
}
