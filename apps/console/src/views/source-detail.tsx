import type { Schemas } from '../api/client';
import { formatCount, formatPercent, formatTime } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { REJECTION_HINTS } from '../lib/vocabulary';
import { toYaml } from '../lib/yaml-text';
import { href } from '../router';
import type { Session } from '../session';
import { EnabledBadge, OriginBadge } from '../ui/badges';
import { CodeBlock, CopyButton, Facts, Section, Time } from '../ui/bits';
import { ActivityChart } from '../ui/chart';
import { ErrorState, Loading } from '../ui/states';

const WINDOWS = ['1h', '24h', '7d'] as const;

export function SourceDetailView({ session, id, query }: { session: Session; id: string; query: URLSearchParams }) {
  const { api } = session;
  const window = (WINDOWS as readonly string[]).includes(query.get('window') ?? '')
    ? (query.get('window') as (typeof WINDOWS)[number])
    : '24h';
  const source = useAsync((signal) => api.get('/sources/{id}', { path: { id }, signal }), [id]);
  const health = useAsync((signal) => api.get('/sources/{id}/health', { path: { id }, signal }), [id], 30_000);
  const activity = useAsync(
    (signal) => api.get('/sources/{id}/activity', { path: { id }, query: { window }, signal }),
    [id, window],
    60_000,
  );

  if (source.error) return <ErrorState error={source.error} retry={source.reload} title={`Could not load source ${id}`} />;
  if (!source.data) return <Loading what="Loading the source" />;
  const data = source.data;
  return (
    <div class="stack">
      <div class="page-header">
        <p class="crumbs">
          <a href={href('/sources')}>Sources</a> › {data.id}
        </p>
        <h1>
          Source {data.id} <EnabledBadge enabled={data.enabled} /> <OriginBadge origin={data.origin} />{' '}
          {health.data?.silent ? <span class="badge badge-bad">silent</span> : null}
        </h1>
        <Facts
          items={[
            ['Provider', data.provider],
            ['Webhook URL', <code>/hooks/{data.id}</code>],
            [
              'Secrets',
              data.secrets.length === 0
                ? 'none'
                : data.secrets
                    .map((secret) => `${secret.fingerprint}${secret.expiresAt ? ` (until ${formatTime(secret.expiresAt)})` : ''}`)
                    .join(', '),
            ],
            ['Last event', <Time at={health.data?.lastReceivedAt} />],
            ['Updated', formatTime(data.updatedAt)],
          ]}
        />
        <p class="links">
          <a href={href('/events', { source: data.id })}>Events</a> ·{' '}
          <a href={href('/dead-letters', { source: data.id, status: 'pending' })}>Pending dead letters</a> ·{' '}
          <a href={href('/rejections', { source: data.id })}>Rejected deliveries</a>
        </p>
      </div>
      <Section
        title="Activity"
        id="activity"
        actions={
          <nav class="segmented" aria-label="Window">
            {WINDOWS.map((name) => (
              <a
                key={name}
                href={href(`/sources/${encodeURIComponent(id)}`, { window: name })}
                aria-current={name === window ? 'true' : undefined}
              >
                {name === '1h' ? 'Last hour' : name === '24h' ? 'Last day' : 'Last week'}
              </a>
            ))}
          </nav>
        }
      >
        {activity.error ? (
          <ErrorState error={activity.error} retry={activity.reload} />
        ) : !activity.data ? (
          <Loading />
        ) : (
          <ActivityChart buckets={activity.data.buckets} bucket={activity.data.bucket} />
        )}
      </Section>
      <Section title="Health" id="health">
        {health.error ? (
          <ErrorState error={health.error} retry={health.reload} />
        ) : !health.data ? (
          <Loading />
        ) : (
          <div class="health-grid">
            <HealthWindow title="Last hour" window={health.data.lastHour} sourceId={id} />
            <HealthWindow title="Last 24 hours" window={health.data.lastDay} sourceId={id} />
            <p class="muted small">
              {health.data.expectEvery === null
                ? 'No expectEvery set: silence is not watched.'
                : `Expected at least every ${String(health.data.expectEvery)}: ${health.data.silent ? 'it has gone quiet.' : 'receiving.'}`}
            </p>
          </div>
        )}
      </Section>
      <Section title="Definition (YAML)" id="definition" actions={<CopyButton text={sourceYaml(data)} label="Copy YAML" />}>
        <p class="muted small">
          {data.origin === 'yaml'
            ? 'From the rules directory: change it there. Secrets are shown as fingerprints, never their values.'
            : 'Managed through the admin API (PUT /sources/:id). Secrets are shown as fingerprints, never their values.'}
        </p>
        <CodeBlock label="Source YAML">{sourceYaml(data)}</CodeBlock>
      </Section>
    </div>
  );
}

function HealthWindow({ title, window, sourceId }: { title: string; window: Schemas['SourceWindowView']; sourceId: string }) {
  return (
    <div class="health-window">
      <h3>{title}</h3>
      <Facts
        items={[
          ['Events received', formatCount(window.events)],
          ['Runs succeeded', formatCount(window.runsSucceeded)],
          ['Runs failed', formatCount(window.runsFailed)],
          ['Runs in progress', formatCount(window.runsInProgress)],
          ['Failure rate', formatPercent(window.failureRate)],
          [
            'Rejected',
            window.rejected.total === 0 ? (
              'none'
            ) : (
              <a href={href('/rejections', { source: sourceId })} class="reasons">
                {Object.entries(window.rejected.byReason).map(([reason, count]) => (
                  <span key={reason} class="chip" title={REJECTION_HINTS[reason] ?? reason}>
                    {reason} {count}
                  </span>
                ))}
                {window.rejected.truncated ? ' (at least: the log is full)' : ''}
              </a>
            ),
          ],
        ]}
      />
    </div>
  );
}

function sourceYaml(source: Schemas['SourceView']): string {
  const definition = {
    id: source.id,
    provider: source.provider,
    ...(source.secrets.length
      ? {
          secrets: source.secrets.map(
            (secret) => `<secret ${secret.fingerprint}${secret.expiresAt ? `, expires ${secret.expiresAt}` : ''}>`,
          ),
        }
      : {}),
    ...source.settings,
    ...(source.enabled ? {} : { enabled: false }),
  };
  return toYaml([definition]);
}
