import type { Schemas } from '../api/client';
import { formatCount, formatPercent } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { causeInfo, REJECTION_HINTS, SIDE_LABEL } from '../lib/vocabulary';
import { href } from '../router';
import type { Session } from '../session';
import { CauseBadge, EnabledBadge } from '../ui/badges';
import { Section, Time } from '../ui/bits';
import { ActivityChart, RunStatusBar } from '../ui/chart';
import { EmptyState, ErrorState, Loading } from '../ui/states';

interface ViewProps {
  session: Session;
  query: URLSearchParams;
}

/** Sources (receiving? refused? failing? silent?), rules (runs by status) and the dead letters waiting. */
export function OverviewView({ session }: ViewProps) {
  const { api } = session;
  const pending = useAsync((signal) => api.get('/dead-letters/groups', { query: { status: 'pending' }, signal }), [], 15_000);
  const sources = useAsync((signal) => api.get('/sources', { query: { limit: 100 }, signal }), []);
  const rules = useAsync((signal) => api.get('/rules', { query: { limit: 200 }, signal }), []);
  const counts = useAsync((signal) => api.get('/runs/counts', { signal, query: {} }), [], 15_000);

  return (
    <div class="stack">
      <div class="page-header">
        <h1>Overview</h1>
        <p class="muted">The last hour and day of every source, the last day of every rule, and what waits for review.</p>
      </div>
      <PendingDeadLetters state={pending} />
      <Section title="Sources" id="overview-sources" actions={<a href={href('/sources')}>All sources</a>}>
        {sources.error ? (
          <ErrorState error={sources.error} retry={sources.reload} />
        ) : !sources.data ? (
          <Loading />
        ) : (sources.data.items ?? []).length === 0 ? (
          <EmptyState title="No sources yet">
            <p>
              Define one in the rules directory (<code>HOOKFLOW_RULES_DIR</code>) or with <code>POST /sources</code>; providers then post to{' '}
              <code>/hooks/&lt;source id&gt;</code> on the ingest app.
            </p>
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col" class="num">
                    Received 1 h
                  </th>
                  <th scope="col" class="num">
                    Received 24 h
                  </th>
                  <th scope="col">Rejected 24 h</th>
                  <th scope="col" class="num">
                    Failure rate 24 h
                  </th>
                  <th scope="col">Last 24 h (per hour)</th>
                  <th scope="col">Last event</th>
                </tr>
              </thead>
              <tbody>
                {(sources.data.items ?? []).map((source) => (
                  <SourceRow key={source.id} session={session} source={source} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Rules: runs started in the last 24 hours" id="overview-rules" actions={<a href={href('/rules')}>All rules</a>}>
        {rules.error ? (
          <ErrorState error={rules.error} retry={rules.reload} />
        ) : counts.error ? (
          <ErrorState error={counts.error} retry={counts.reload} />
        ) : !rules.data || !counts.data ? (
          <Loading />
        ) : (rules.data.items ?? []).length === 0 ? (
          <EmptyState title="No rules yet">
            <p>
              A rule says which events of a source trigger which steps. Add one to the rules directory or with <code>POST /rules</code>.
            </p>
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Source</th>
                  <th scope="col">State</th>
                  <th scope="col">Runs by status</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {(rules.data.items ?? []).map((rule) => {
                  const mine = counts.data?.items.filter((item) => item.ruleId === rule.id) ?? [];
                  const byStatus = Object.fromEntries(mine.map((item) => [item.status, item.count]));
                  return (
                    <tr key={rule.id}>
                      <th scope="row">
                        <a href={href(`/rules/${encodeURIComponent(rule.id)}`)}>{rule.id}</a> <span class="muted">v{rule.version}</span>
                      </th>
                      <td>{rule.source}</td>
                      <td>
                        <EnabledBadge enabled={rule.enabled} />
                      </td>
                      <td>
                        <RunStatusBar counts={byStatus} />
                      </td>
                      <td>
                        {(byStatus.failed ?? 0) > 0 ? (
                          <a href={href('/dead-letters', { rule: rule.id, status: 'pending' })}>Dead letters</a>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}

function PendingDeadLetters({ state }: { state: ReturnType<typeof useAsync<Schemas['DeadLetterGroupsView']>> }) {
  if (state.error) return <ErrorState error={state.error} retry={state.reload} title="Could not count the dead letters" />;
  if (!state.data) return <Loading what="Counting dead letters" />;
  const { total, byCause, byDestination } = state.data;
  return (
    <section class={`panel summary ${total > 0 ? 'summary-alert' : 'summary-ok'}`} aria-labelledby="pending-title">
      <div class="summary-main">
        <h2 id="pending-title">Dead letters pending</h2>
        <p class="big-number">{formatCount(total)}</p>
        {total > 0 ? (
          <a class="button button-primary" href={href('/dead-letters', { status: 'pending' })}>
            Review dead letters
          </a>
        ) : (
          <p class="muted">Nothing waits for review: every failed run has been replayed, resolved or discarded.</p>
        )}
      </div>
      {total > 0 ? (
        <div class="summary-groups">
          <div>
            <h3>By cause</h3>
            <ul class="plain-list">
              {byCause.map((group) => (
                <li key={group.cause}>
                  <a href={href('/dead-letters', { status: 'pending', cause: group.cause })}>
                    <CauseBadge cause={group.cause} /> {group.count}
                  </a>{' '}
                  <span class="muted">{SIDE_LABEL[causeInfo(group.cause).side]}</span>
                </li>
              ))}
            </ul>
          </div>
          <div>
            <h3>By destination</h3>
            <ul class="plain-list">
              {byDestination.slice(0, 6).map((group) => (
                <li key={group.destination ?? '-'}>
                  {group.destination ? (
                    <a href={href('/dead-letters', { status: 'pending', destination: group.destination })}>{group.destination}</a>
                  ) : (
                    <span class="muted">no HTTP request</span>
                  )}{' '}
                  {group.count}
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
    </section>
  );
}

function SourceRow({ session, source }: { session: Session; source: Schemas['SourceView'] }) {
  const { api } = session;
  const health = useAsync((signal) => api.get('/sources/{id}/health', { path: { id: source.id }, signal }), [source.id], 30_000);
  const activity = useAsync(
    (signal) => api.get('/sources/{id}/activity', { path: { id: source.id }, query: { window: '24h' }, signal }),
    [source.id],
    60_000,
  );
  const data = health.data;
  return (
    <tr>
      <th scope="row">
        <a href={href(`/sources/${encodeURIComponent(source.id)}`)}>{source.id}</a> <span class="muted">{source.provider}</span>{' '}
        {!source.enabled ? <EnabledBadge enabled={false} /> : null}
        {data?.silent ? (
          <span class="badge badge-bad" title={`Nothing received for longer than expectEvery (${String(data.expectEvery)})`}>
            silent
          </span>
        ) : null}
      </th>
      {health.error ? (
        <td colSpan={6}>
          <span class="muted">health unavailable: {health.error.message}</span>
        </td>
      ) : !data ? (
        <td colSpan={6} class="muted">
          …
        </td>
      ) : (
        <>
          <td class="num">{formatCount(data.lastHour.events)}</td>
          <td class="num">{formatCount(data.lastDay.events)}</td>
          <td>
            {data.lastDay.rejected.total === 0 ? (
              <span class="muted">none</span>
            ) : (
              <a href={href('/rejections', { source: source.id })} class="reasons">
                {Object.entries(data.lastDay.rejected.byReason).map(([reason, count]) => (
                  <span key={reason} class="chip" title={REJECTION_HINTS[reason] ?? reason}>
                    {reason} {count}
                  </span>
                ))}
                {data.lastDay.rejected.truncated ? <span class="muted"> (at least)</span> : null}
              </a>
            )}
          </td>
          <td class={`num ${(data.lastDay.failureRate ?? 0) > 0 ? 'text-bad' : ''}`}>{formatPercent(data.lastDay.failureRate)}</td>
          <td>{activity.data ? <ActivityChart buckets={activity.data.buckets} bucket={activity.data.bucket} compact /> : null}</td>
          <td>
            <Time at={data.lastReceivedAt} />
          </td>
        </>
      )}
    </tr>
  );
}
