import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { SourceRow, SourcesRepository, StoredSecret } from '@hookflow/persistence';
import { sourceInput, SourceDefinition, validateSourceDefinition, VariableScope } from '@hookflow/rules';
import { secretFingerprint } from '@hookflow/verification';
import { Inject, Injectable } from '@nestjs/common';
import { apiVariableScope } from '../catalog/api-variables';
import { alreadyExists, idMismatch, managedByYaml, validatedOrInvalid } from '../catalog/catalog-errors';
import { CatalogQueryDto } from '../catalog/catalog-query.dto';
import { ApiError } from '../errors/api-error';
import { decodeCursor, DEFAULT_PAGE_LIMIT, Page, pageOf } from '../pagination/page';
import { AddSecretDto } from './source.dto';
import { SourceView } from './source.view';
import { addSecret, removeSecret } from './source-secrets';

/** The keyset of the source listing; it names the listing, so another listing's cursor is refused. */
const isSourceKeyset = (value: unknown): value is { listing: 'sources'; id: string } => {
  const keyset = value as { listing?: unknown; id?: unknown } | null;
  return keyset?.listing === 'sources' && typeof keyset.id === 'string';
};

/** What stands in for a stored secret when a definition that keeps them is checked. */
const KEPT_SECRET = 'stored secret, kept';

/**
 * Sources through the admin API. A definition is checked as a rules file checks it; secrets are
 * write-only (sealed at rest, shown as fingerprints); `${VAR}` resolves in secrets only, for the
 * variables exposed to the API (HOOKFLOW_API_VARIABLES); sources of the rules directory are read-only.
 * Ingest follows every change within HOOKFLOW_CONFIG_REFRESH (the catalog stamp).
 */
@Injectable()
export class SourcesService {
  private readonly variables: VariableScope;

  constructor(
    @Inject(HOOKFLOW_CONFIG) config: HookflowConfig,
    private readonly sources: SourcesRepository,
  ) {
    this.variables = apiVariableScope(config);
  }

  async list(query: CatalogQueryDto): Promise<Page<SourceView>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const after = query.after === undefined ? undefined : decodeCursor(query.after, isSourceKeyset).id;
    const rows = await this.sources.list({ limit: limit + 1, after, origin: query.origin, enabled: query.enabled });
    return pageOf(rows, limit, (row) => ({ listing: 'sources', id: row.id }), toView);
  }

  async get(id: string): Promise<SourceView> {
    return toView(await this.existing(id));
  }

  async create(body: unknown): Promise<SourceView> {
    const definition = await this.validated(body);
    const existing = await this.sources.find(definition.id);
    if (existing) throw existing.origin === 'yaml' ? managedByYaml('source', definition.id) : alreadyExists('source', definition.id);
    const { provider, settings, secrets, enabled } = sourceInput(definition);
    const created = await this.sources.create(definition.id, { provider, settings, enabled, secrets: neverExpiring(secrets) });
    if (!created) throw alreadyExists('source', definition.id);
    return toView(created);
  }

  /** Replaces the definition. Without `secrets` the stored ones (and their expiries) are kept. */
  async update(id: string, body: unknown): Promise<SourceView> {
    const existing = await this.editable(id);
    const written = isObject(body) ? body : {};
    if (written.id !== undefined && written.id !== id) throw idMismatch('source', id);
    const keepsSecrets = written.secrets === undefined;
    // Checked as a file would be, with a stand-in for each stored secret when the body keeps them:
    // they are not written again, and a stored value is never read as `${VAR}`.
    const stored = existing.secrets.filter((secret) => secret.expiresAt === null || secret.expiresAt > new Date());
    const candidate = isObject(body)
      ? { ...body, id, ...(keepsSecrets && stored.length > 0 ? { secrets: stored.map(() => KEPT_SECRET) } : {}) }
      : body;
    const definition = await this.validated(candidate);
    const { provider, settings, secrets } = sourceInput(definition);
    const updated = await this.sources.update(id, {
      provider,
      settings,
      enabled: typeof written.enabled === 'boolean' ? written.enabled : undefined,
      secrets: keepsSecrets ? undefined : neverExpiring(secrets),
    });
    if (!updated) throw ApiError.notFound('source', id);
    return toView(updated);
  }

  async setEnabled(id: string, enabled: boolean): Promise<SourceView> {
    await this.editable(id);
    const updated = await this.sources.setEnabled(id, enabled);
    if (!updated) throw ApiError.notFound('source', id);
    return toView(updated);
  }

  async addSecret(id: string, request: AddSecretDto, now = new Date()): Promise<SourceView> {
    const keepOldUntil = request.keepOldUntil === undefined ? undefined : new Date(request.keepOldUntil);
    return this.changeSecrets(id, (source, secrets) => addSecret(source, secrets, request.secret, keepOldUntil, now));
  }

  async removeSecret(id: string, fingerprint: string, now = new Date()): Promise<SourceView> {
    return this.changeSecrets(id, (source, secrets) => removeSecret(source, secrets, fingerprint, now));
  }

  /** Deletes a source nothing refers to; one that rules name or that received events is kept (pause it instead). */
  async delete(id: string): Promise<void> {
    await this.editable(id);
    const deletion = await this.sources.delete(id);
    switch (deletion.status) {
      case 'deleted':
        return;
      case 'not_found':
        throw ApiError.notFound('source', id);
      case 'named_by_rules':
        throw ApiError.conflict(
          'source_in_use',
          `source "${id}" is named by rule(s) ${deletion.ruleIds.map((rule) => `"${rule}"`).join(', ')}: delete them or change their source first`,
        );
      case 'has_events':
        throw ApiError.conflict(
          'source_in_use',
          `source "${id}" has received events, which are kept for review and replay: pause it instead (POST /sources/${id}/pause)`,
        );
    }
  }

  private async changeSecrets(id: string, change: (source: SourceRow, secrets: StoredSecret[]) => StoredSecret[]): Promise<SourceView> {
    const existing = await this.editable(id);
    const updated = await this.sources.changeSecrets(id, (secrets) => change(existing, secrets));
    if (!updated) throw ApiError.notFound('source', id);
    return toView(updated);
  }

  private validated(body: unknown): Promise<SourceDefinition> {
    return validatedOrInvalid('source', () => validateSourceDefinition(body, this.variables));
  }

  private async existing(id: string): Promise<SourceRow> {
    const source = await this.sources.find(id);
    if (!source) throw ApiError.notFound('source', id);
    return source;
  }

  /** A source this API may change: it exists and does not come from the rules directory. */
  private async editable(id: string): Promise<SourceRow> {
    const source = await this.existing(id);
    if (source.origin === 'yaml') throw managedByYaml('source', id);
    return source;
  }
}

function neverExpiring(secrets: string[]): StoredSecret[] {
  return secrets.map((value) => ({ value, expiresAt: null }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function toView(row: SourceRow): SourceView {
  return {
    id: row.id,
    provider: row.provider,
    enabled: row.enabled,
    origin: row.origin,
    settings: row.settings,
    secrets: row.secrets.map((secret) => ({
      fingerprint: secretFingerprint(secret.value),
      expiresAt: secret.expiresAt?.toISOString() ?? null,
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
