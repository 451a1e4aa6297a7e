import { IngestRejectionsRepository, SourceHealthRepository, StoredIngestRejection } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { decodeCursor, DEFAULT_PAGE_LIMIT, Page, pageOf, PageQueryDto } from '../pagination/page';
import { RejectionView } from './source-health.view';

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
  };
}
