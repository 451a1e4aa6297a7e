import { IngestRejectionsRepository, SourceHealthRepository, StoredIngestRejection } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { decodeCursor, DEFAULT_PAGE_LIMIT, Page, pageOf, PageQueryDto } from '../pagination/page';
import { RejectionDiagnosticsView, RejectionView, ReserialisationHintView, SchemaViolationView } from './source-health.view';

type RejectionKeyset = { id: string };

const isRejectionKeyset = (value: unknown): value is RejectionKeyset =>
  typeof value === 'object' && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { id?: unknown }).id));

/** A source's capped rejection log, newest first: why a provider's deliveries are being refused. */
@Injectable()
export class SourceRejectionsService {
  constructor(
    private readonly sources: SourceHealthRepository,
    private readonly rejections: IngestRejectionsRepository,
  ) {}

  async list(sourceId: string, query: PageQueryDto): Promise<Page<RejectionView>> {
    if (!(await this.sources.source(sourceId))) throw ApiError.notFound('source', sourceId);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const before = query.after === undefined ? undefined : decodeCursor(query.after, isRejectionKeyset).id;
    const rows = await this.rejections.listForSource(sourceId, limit + 1, before);
    return pageOf(rows, limit, (row) => ({ id: row.id }), toView);
  }
}

function toView(row: StoredIngestRejection): RejectionView {
  return {
    id: row.id,
    reason: row.reason,
    status: row.status,
    message: row.message,
    clientIp: row.clientIp,
    createdAt: row.createdAt.toISOString(),
    diagnostics: diagnosticsView(row.diagnostics),
  };
}

/**
 * The stored diagnostics, field by field as documented: the column is JSON written by every
 * ingest version in the cluster, so nothing undocumented, or of the wrong type, is passed on.
 */
function diagnosticsView(stored: Record<string, unknown> | undefined): RejectionDiagnosticsView | null {
  if (stored === undefined || typeof stored.provider !== 'string') return null;
  const view: RejectionDiagnosticsView = {
    provider: stored.provider,
    bodyBytes: typeof stored.bodyBytes === 'number' ? stored.bodyBytes : 0,
    bodySha256: typeof stored.bodySha256 === 'string' ? stored.bodySha256 : null,
    contentType: typeof stored.contentType === 'string' ? stored.contentType : null,
  };
  if (typeof stored.signatureHeader === 'string') view.signatureHeader = stored.signatureHeader;
  if (typeof stored.timestampHeader === 'string') view.timestampHeader = stored.timestampHeader;
  if (typeof stored.timestampSkewSeconds === 'number') view.timestampSkewSeconds = stored.timestampSkewSeconds;
  if (typeof stored.toleranceSeconds === 'number') view.toleranceSeconds = stored.toleranceSeconds;
  const hint = hintView(stored.reserialisation);
  if (hint) view.reserialisation = hint;
  const violations = violationsView(stored.violations);
  if (violations) view.violations = violations;
  return view;
}

function hintView(stored: unknown): ReserialisationHintView | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { signedForm, hint } = stored as Record<string, unknown>;
  return typeof signedForm === 'string' && typeof hint === 'string' ? { signedForm, hint } : undefined;
}

/** A schema_violation's errors (ingest's source guards), field by field. */
function violationsView(stored: unknown): SchemaViolationView[] | undefined {
  if (!Array.isArray(stored)) return undefined;
  return stored.flatMap((item: unknown) => {
    const { path, message, index } = (item ?? {}) as Record<string, unknown>;
    if (typeof path !== 'string' || typeof message !== 'string') return [];
    return [typeof index === 'number' ? { path, message, index } : { path, message }];
  });
}
