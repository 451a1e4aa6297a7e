import { useAsync } from '../lib/use-async';
import { href } from '../router';
import type { Session } from '../session';
import { EnabledBadge, OriginBadge } from '../ui/badges';
import { Time } from '../ui/bits';
import { Pager } from '../ui/pager';
import { EmptyState, ErrorState, Loading } from '../ui/states';

export function RulesView({ session, query }: { session: Session; query: URLSearchParams }) {
  const after = query.get('after') ?? undefined;
  const rules = useAsync((signal) => session.api.get('/rules', { query: { after, limit: 100 }, signal }), [after]);
  const items = rules.data?.items ?? [];
  return (
    <div class="stack">
      <div class="page-header">
        <h1>Rules</h1>
        <p class="muted">
          Which events of a source run which steps. Rules from the rules directory are read-only here (edit the file); rules made through
          the API can be edited on their page.
        </p>
      </div>
      <section class="panel">
        <div class="panel-body">
          {rules.error ? (
            <ErrorState error={rules.error} retry={rules.reload} />
          ) : !rules.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <EmptyState title="No rules yet">
              <p>
                Add rules to the rules directory, or send one with <code>POST /rules</code> or <code>hookflow apply</code>.
              </p>
            </EmptyState>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">Rule</th>
                      <th scope="col">Source</th>
                      <th scope="col">Events</th>
                      <th scope="col">Steps</th>
                      <th scope="col">State</th>
                      <th scope="col">Managed by</th>
                      <th scope="col">Version</th>
                      <th scope="col">Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((rule) => {
                      const events = Array.isArray(rule.definition.events) ? (rule.definition.events as string[]).join(', ') : 'every type';
                      const steps = Array.isArray(rule.definition.steps)
                        ? (rule.definition.steps as { id?: string }[]).map((step) => step.id).join(' → ')
                        : '';
                      return (
                        <tr key={rule.id}>
                          <th scope="row">
                            <a href={href(`/rules/${encodeURIComponent(rule.id)}`)}>{rule.id}</a>
                          </th>
                          <td>{rule.source}</td>
                          <td class="truncate">{events}</td>
                          <td class="truncate">{steps}</td>
                          <td>
                            <EnabledBadge enabled={rule.enabled} />
                          </td>
                          <td>
                            <OriginBadge origin={rule.origin} />
                          </td>
                          <td>v{rule.version}</td>
                          <td>
                            <Time at={rule.updatedAt} />
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pager path="/rules" query={{}} nextCursor={rules.data.nextCursor} onFirstPage={!after} count={items.length} />
            </>
          )}
        </div>
      </section>
    </div>
  );
}
