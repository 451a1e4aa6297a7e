import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { CatalogRepository, secretsValidAt, SourceRecord } from '@hookflow/persistence';
import { CatalogCache, CompiledExpression, compileExpression } from '@hookflow/rules';
import { DEFAULT_EVENT_TYPE, Verifier, verifierFor } from '@hookflow/verification';
import { Inject, Injectable } from '@nestjs/common';
import { compileSourceGuards, SourceGuards } from '../guards/source-guards';
import { compileIpAllowlist } from './ip-allowlist';

/** A source ready for the request path: verifier chosen and expressions compiled once. */
export interface ActiveSource {
  record: SourceRecord;
  verifier: Verifier;
  eventType: CompiledExpression;
  idempotencyKey?: CompiledExpression;
  /** Absent when the source accepts every address. */
  allowsIp?: (clientIp: string) => boolean;
  /** Its event-type filter, payload schema and rate limit (apps/ingest/src/guards). */
  guards: SourceGuards;
  /** The secrets that verify a delivery received at `at`: a rotated-out secret stops at its expiry. */
  secretsAt(at: Date): readonly string[];
}

/** The enabled sources, held in memory so a delivery costs no lookup query. */
@Injectable()
export class SourceRegistry extends CatalogCache {
  private sources = new Map<string, ActiveSource>();

  constructor(@Inject(HOOKFLOW_CONFIG) config: HookflowConfig, catalog: CatalogRepository) {
    super(config, catalog);
  }

  get(sourceId: string): ActiveSource | undefined {
    return this.sources.get(sourceId);
  }

  protected async rebuild(): Promise<void> {
    const next = new Map<string, ActiveSource>();
    for (const record of await this.catalog.enabledSources()) {
      const active = this.activate(record);
      if (active) next.set(record.id, active);
    }
    this.sources = next;
  }

  /**
   * A source's guards, reused while its settings are unchanged: the catalog is reloaded whenever
   * any definition changes, and compiling a JSON Schema costs milliseconds.
   */
  private guardsOf(record: SourceRecord): SourceGuards {
    const settings = JSON.stringify(record.settings);
    const previous = this.sources.get(record.id);
    if (previous && JSON.stringify(previous.record.settings) === settings) return previous.guards;
    return compileSourceGuards(record.settings);
  }

  private activate(record: SourceRecord): ActiveSource | undefined {
    const verifier = verifierFor(record.provider);
    if (!verifier) {
      this.logger.error(`source "${record.id}" has unsupported provider "${record.provider}"; its deliveries are refused`);
      return undefined;
    }
    // The source's own expressions win over the provider's conventions.
    const eventType = stringOf(record.settings.eventType) ?? verifier.defaults?.eventType ?? DEFAULT_EVENT_TYPE;
    const idempotencyKey = stringOf(record.settings.idempotencyKey) ?? verifier.defaults?.idempotencyKey;
    const allowIps = Array.isArray(record.settings.allowIps) ? record.settings.allowIps.map(String) : undefined;
    try {
      return {
        record,
        verifier,
        eventType: compileExpression(eventType),
        idempotencyKey: idempotencyKey === undefined ? undefined : compileExpression(idempotencyKey),
        allowsIp: allowIps === undefined ? undefined : compileIpAllowlist(allowIps),
        guards: this.guardsOf(record),
        secretsAt: secretsSchedule(record),
      };
    } catch (error) {
      this.logger.error(
        `source "${record.id}" has an invalid expression, allowIps entry or schema; its deliveries are refused: ${(error as Error).message}`,
      );
      return undefined;
    }
  }
}

/** Without expiries the list never changes, so the per-delivery path allocates nothing. */
function secretsSchedule(record: SourceRecord): (at: Date) => readonly string[] {
  if (record.secrets.every((secret) => secret.expiresAt === null)) {
    const values = record.secrets.map((secret) => secret.value);
    return () => values;
  }
  return (at) => secretsValidAt(record.secrets, at);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
