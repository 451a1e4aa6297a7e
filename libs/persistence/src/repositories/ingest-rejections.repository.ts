import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { storableJson, storableText } from '../storable';

/** One refused delivery, as the log keeps it: never its body, headers or a credential. */
export interface NewIngestRejection {
  /** As given in the URL; the source may not exist. */
  sourceId: string;
  reason: string;
  status: number;
  message: string;
  clientIp: string | null;
  createdAt: Date;
  /**
   * What explains the refusal to an operator (the verifier and header used, the body's length and
   * SHA-256, the timestamp skew, a re-serialisation hint; a schema's errors): never a secret, a
   * whole signature or the body.
   */
  diagnostics?: Record<string, unknown>;
}

/** How the log is capped; see docs/decisions.md, "The ingest rejection log is capped per source". */
export interface RejectionLogLimits {
  /** Newest rows kept per existing source; source ids that name no source share one such cap. */
  maxPerSource: number;
  /** Rows created before this are dropped. */
  olderThan: Date;
}

export interface RejectionPruneResult {
  /** Rows dropped for being older than the retention. */
  expired: number;
  /** Rows dropped for being over a source's cap. */
  overCap: number;
}

/** Rejections of one source since a time, by reason code. */
export type RejectionCounts = Record<string, number>;

/** A logged rejection as read back, newest first. */
export interface StoredIngestRejection extends NewIngestRejection {
  id: string;
}

/** What the log still holds for a source: how many rows, and since when. */
export interface RejectionLogCoverage {
  rows: number;
  oldest: Date | null;
}

/** Longest stored text of a source id or message: the log must stay small whatever a sender puts in a URL. */
const MAX_TEXT_LENGTH = 1000;
/**
 * Longest stored diagnostics, as JSON text. Ingest's own are well under 1 KB; the bound keeps a
 * row small whatever a future producer puts in, dropping whole entries rather than cutting JSON.
 */
const MAX_DIAGNOSTICS_LENGTH = 4096;
/** Any constant unique to this lock: one process prunes at a time, the others skip that round. */
const PRUNE_LOCK = 742_002;

/** The capped log of deliveries ingest refused (DESIGN.md, "Ingest answers"). */
@Injectable()
export class IngestRejectionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes rejections in one statement, whatever their number. */
  async insertMany(rejections: readonly NewIngestRejection[]): Promise<void> {
    if (rejections.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ingest_rejections (source_id, reason, status, message, client_ip, created_at, diagnostics)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])`,
      [
        rejections.map((rejection) => bounded(rejection.sourceId)),
        rejections.map((rejection) => bounded(rejection.reason)),
        rejections.map((rejection) => rejection.status),
        rejections.map((rejection) => bounded(rejection.message)),
        rejections.map((rejection) => (rejection.clientIp === null ? null : bounded(rejection.clientIp))),
        rejections.map((rejection) => rejection.createdAt),
        rejections.map((rejection) => boundedDiagnostics(rejection.diagnostics)),
      ],
    );
  }

  /**
   * Drops rows older than the retention, then all but the newest `maxPerSource` of each source.
   * Rows of ids that name no source are capped together, so posting to made-up ids cannot grow
   * the log without bound. Returns undefined, doing nothing, while another process prunes.
   */
  async prune(limits: RejectionLogLimits): Promise<RejectionPruneResult | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = await manager.query<{ locked: boolean }[]>('SELECT pg_try_advisory_xact_lock($1) AS locked', [PRUNE_LOCK]);
      if (!lock?.locked) return undefined;
      // A DELETE answers [rows, affected count].
      const [, expired] = await manager.query<[unknown, number]>('DELETE FROM ingest_rejections WHERE created_at < $1', [limits.olderThan]);
      const [, overCap] = await manager.query<[unknown, number]>(
        `DELETE FROM ingest_rejections WHERE id IN (
           SELECT id FROM (
             SELECT r.id, row_number() OVER (PARTITION BY s.id ORDER BY r.created_at DESC, r.id DESC) AS position
               FROM ingest_rejections r LEFT JOIN sources s ON s.id = r.source_id
           ) ranked
           WHERE position > $1
         )`,
        [limits.maxPerSource],
      );
      return { expired, overCap };
    });
  }

  /** The source's rejections since each of `since`, by reason (one map per time, same order). */
  async countByReason(sourceId: string, since: readonly Date[]): Promise<RejectionCounts[]> {
    if (since.length === 0) return [];
    const earliest = new Date(Math.min(...since.map((time) => time.getTime())));
    const counts = since.map((_, index) => `count(*) FILTER (WHERE created_at >= $${index + 3})::int AS "${index}"`).join(', ');
    const rows = await this.dataSource.query<Record<string, number | string>[]>(
      `SELECT reason, ${counts} FROM ingest_rejections WHERE source_id = $1 AND created_at >= $2 GROUP BY reason ORDER BY reason`,
      [sourceId, earliest, ...since],
    );
    return since.map((_, index) => {
      const byReason: RejectionCounts = {};
      for (const row of rows) {
        const count = Number(row[String(index)]);
        if (count > 0) byReason[String(row.reason)] = count;
      }
      return byReason;
    });
  }

  /** A source's rejections, newest first; `beforeId` continues a listing after its last row. */
  async listForSource(sourceId: string, limit: number, beforeId?: string): Promise<StoredIngestRejection[]> {
    const rows = await this.dataSource.query<
      {
        id: string;
        source_id: string;
        reason: string;
        status: number;
        message: string;
        client_ip: string | null;
        created_at: Date;
        diagnostics: Record<string, unknown> | null;
      }[]
    >(
      `SELECT id::text, source_id, reason, status, message, client_ip, created_at, diagnostics FROM ingest_rejections
        WHERE source_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`,
      [sourceId, beforeId ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      sourceId: row.source_id,
      reason: row.reason,
      status: row.status,
      message: row.message,
      clientIp: row.client_ip,
      createdAt: row.created_at,
      ...(row.diagnostics === null ? {} : { diagnostics: row.diagnostics }),
    }));
  }

  /** How many rows the log holds for a source and the oldest one's time: tells whether the cap cut a window short. */
  async coverage(sourceId: string): Promise<RejectionLogCoverage> {
    const [row] = await this.dataSource.query<{ rows: number; oldest: Date | null }[]>(
      'SELECT count(*)::int AS rows, min(created_at) AS oldest FROM ingest_rejections WHERE source_id = $1',
      [sourceId],
    );
    return { rows: row?.rows ?? 0, oldest: row?.oldest ?? null };
  }
}

function bounded(text: string): string {
  return storableText(text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH - 1)}…` : text);
}

/**
 * Diagnostics as jsonb text, at most MAX_DIAGNOSTICS_LENGTH long: entries that do not fit are
 * left out, whole, and `truncated` lists their names.
 */
export function boundedDiagnostics(diagnostics: Record<string, unknown> | undefined): string | null {
  if (diagnostics === undefined) return null;
  try {
    return fittedDiagnostics(diagnostics);
  } catch {
    // Nested too deep to serialise: the row is still worth keeping, without them.
    return null;
  }
}

function fittedDiagnostics(diagnostics: Record<string, unknown>): string | null {
  const json = storableJson(diagnostics);
  if (json === null || json.length <= MAX_DIAGNOSTICS_LENGTH) return json;
  const kept: Record<string, unknown> = {};
  const truncated: string[] = [];
  // Room for the list of names left out, each cut short if it has to be.
  let room = MAX_DIAGNOSTICS_LENGTH - 200;
  for (const [name, value] of Object.entries(diagnostics)) {
    const entry = storableJson({ [name]: value });
    if (entry !== null && entry.length <= room) {
      kept[name] = value;
      room -= entry.length;
    } else {
      truncated.push(name.slice(0, 40));
    }
  }
  return storableJson({ ...kept, truncated: truncated.slice(0, 3) });
}
