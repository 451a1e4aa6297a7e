import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
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
  /** Default `received`; `ignored` for a type its source does not allow (never dispatched). */
  status?: 'received' | 'ignored';
}

/** The outcome of storing a delivery: the new event, or the first one with the same key. */
/** An event as rules and dispatch see it. */
export type EventForRules = Pick<EventEntity, 'id' | 'sourceId' | 'type' | 'status' | 'headers' | 'payload' | 'receivedAt'>;

export interface StoredEvent {
  eventId: string;
  duplicate: boolean;
}

const COLUMNS_PER_EVENT = 10;
/** PostgreSQL binds at most 65,535 parameters per statement. */
const MAX_EVENTS_PER_STATEMENT = Math.floor(65_535 / COLUMNS_PER_EVENT);

const keyOf = (sourceId: string, idempotencyKey: string): string => JSON.stringify([sourceId, idempotencyKey]);

@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Commits the events of one delivery, each unless one with the same (source, idempotency key)
   * exists. The unique index decides, so concurrent duplicates cannot both get in. One multi-row
   * INSERT is atomic by itself: a delivery costs one round trip, not BEGIN, INSERT and COMMIT.
   */
  async insertIfAbsent(events: NewEvent[]): Promise<StoredEvent[]> {
    if (events.length <= MAX_EVENTS_PER_STATEMENT) return this.insertBatch(this.dataSource.manager, events);
    // Past the bind-parameter limit of one statement: chunks, in one transaction, still all or nothing.
    return this.dataSource.transaction(async (manager) => {
      const stored: StoredEvent[] = [];
      for (let start = 0; start < events.length; start += MAX_EVENTS_PER_STATEMENT) {
        stored.push(...(await this.insertBatch(manager, events.slice(start, start + MAX_EVENTS_PER_STATEMENT))));
      }
      return stored;
    });
  }

  private async insertBatch(manager: EntityManager, events: NewEvent[]): Promise<StoredEvent[]> {
    const rows = events.map((event) => ({ ...event, idempotencyKey: storableText(event.idempotencyKey) }));
    const parameters = rows.flatMap((event) => [
      event.id,
      event.sourceId,
      event.idempotencyKey,
      storableText(event.type),
      storableJson(event.headers),
      storableText(event.contentType),
      event.rawBody,
      storableJson(event.payload),
      event.receivedAt,
      event.status ?? 'received',
    ]);
    const values = rows.map((_, row) => {
      const p = (column: number): string => `$${row * COLUMNS_PER_EVENT + column}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(10)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)})`;
    });
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, content_type, raw_body, payload, received_at)
       VALUES ${values.join(', ')}
       ON CONFLICT ON CONSTRAINT uq_events_source_idempotency_key DO NOTHING
       RETURNING id`,
      parameters,
    );
    const insertedIds = new Set(inserted.map((row) => row.id));
    const duplicates = rows.filter((event) => !insertedIds.has(event.id));
    const existing = new Map<string, string>();
    if (duplicates.length > 0) {
      const found = await manager.query<{ id: string; source_id: string; idempotency_key: string }[]>(
        `SELECT e.id, e.source_id, e.idempotency_key FROM events e
           JOIN unnest($1::text[], $2::text[]) AS k(source_id, idempotency_key)
             ON e.source_id = k.source_id AND e.idempotency_key = k.idempotency_key`,
        [duplicates.map((event) => event.sourceId), duplicates.map((event) => event.idempotencyKey)],
      );
      for (const row of found) existing.set(keyOf(row.source_id, row.idempotency_key), row.id);
    }
    return rows.map((event) => {
      if (insertedIds.has(event.id)) return { eventId: event.id, duplicate: false };
      const first = existing.get(keyOf(event.sourceId, event.idempotencyKey));
      if (!first) throw new Error(`event with key ${event.idempotencyKey} conflicted but cannot be found`);
      return { eventId: first, duplicate: true };
    });
  }

  /** What rules see of an event (no raw body): one plain statement, for the engine's hot path. */
  async findForRules(id: string): Promise<EventForRules | null> {
    const rows = await this.dataSource.query<EventForRules[]>(
      `SELECT id, source_id AS "sourceId", type, status, headers, payload, received_at AS "receivedAt" FROM events WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
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
