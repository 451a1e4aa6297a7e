import { useAsync } from '../lib/use-async';
import { href } from '../router';
import type { Session } from '../session';
import { EnabledBadge, OriginBadge } from '../ui/badges';
import { Time } from '../ui/bits';
import { Pager } from '../ui/pager';
import { EmptyState, ErrorState, Loading } from '../ui/states';

export function SourcesView({ session, query }: { session: Session; query: URLSearchParams }) {
  const after = query.get('after') ?? undefined;
  const sources = useAsync((signal) => session.api.get('/sources', { query: { after, limit: 100 }, signal }), [after]);
  const items = sources.data?.items ?? [];
  return (
    <div class="stack">
      <div class="page-header">
        <h1>Sources</h1>
        <p class="muted">
          Where webhooks come in (<code>POST /hooks/&lt;id&gt;</code> on the ingest app) and how each delivery is verified.
        </p>
      </div>
      <section class="panel">
        <div class="panel-body">
          {sources.error ? (
            <ErrorState error={sources.error} retry={sources.reload} />
          ) : !sources.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <EmptyState title="No sources yet">
              <p>
                Define sources in the rules directory or with <code>POST /sources</code>.
              </p>
            </EmptyState>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">Source</th>
                      <th scope="col">Provider</th>
                      <th scope="col">Secrets</th>
                      <th scope="col">Expect every</th>
                      <th scope="col">State</th>
                      <th scope="col">Managed by</th>
                      <th scope="col">Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((source) => (
                      <tr key={source.id}>
                        <th scope="row">
                          <a href={href(`/sources/${encodeURIComponent(source.id)}`)}>{source.id}</a>
                        </th>
                        <td>{source.provider}</td>
                        <td>{source.secrets.length}</td>
                        <td>
                          {typeof source.settings.expectEvery === 'string' ? source.settings.expectEvery : <span class="muted">—</span>}
                        </td>
                        <td>
                          <EnabledBadge enabled={source.enabled} />
                        </td>
                        <td>
                          <OriginBadge origin={source.origin} />
                        </td>
                        <td>
                          <Time at={source.updatedAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager path="/sources" query={{}} nextCursor={sources.data.nextCursor} onFirstPage={!after} count={items.length} />
            </>
          )}
        </div>
      </section>
    </div>
  );
}
