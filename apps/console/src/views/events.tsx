import { useEffect, useState } from 'preact/hooks';
import type { Query, Schemas } from '../api/client';
import { formatBytes, shortId } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { EVENT_STATUSES } from '../lib/vocabulary';
import { href, navigate } from '../router';
import type { Session } from '../session';
import { StatusBadge } from '../ui/badges';
import { CodeBlock, CopyButton, Field, Section, Time } from '../ui/bits';
import { FilterActions, TimeRangeFields } from '../ui/filter-fields';
import { Pager } from '../ui/pager';
import { EmptyState, ErrorState, Loading } from '../ui/states';

const PATH = '/events';
const FILTER_NAMES = ['source', 'type', 'status', 'from', 'to', 'payload'] as const;
type Filters = Partial<Record<(typeof FILTER_NAMES)[number], string>>;

export function EventsView({ session, query }: { session: Session; query: URLSearchParams }) {
  const { api } = session;
  const filters: Filters = {};
  for (const name of FILTER_NAMES) if (query.get(name)) filters[name] = query.get(name) ?? undefined;
  const after = query.get('after') ?? undefined;
  const key = JSON.stringify(filters);
  const page = useAsync(
    (signal) => api.get('/events', { query: { ...(filters as Query<'/events', 'get'>), after, limit: 50 }, signal }),
    [key, after],
  );
  const items = page.data?.items ?? [];
  return (
    <div class="stack">
      <div class="page-header">
        <h1>Events</h1>
        <p class="muted">Every delivery ingest accepted, newest first, with the runs it caused.</p>
      </div>
      <EventFilters session={session} filters={filters} />
      <section class="panel" aria-labelledby="events-title">
        <header class="panel-header">
          <h2 id="events-title">Events</h2>
          <div class="panel-actions">
            <button type="button" class="button" onClick={page.reload}>
              Refresh
            </button>
          </div>
        </header>
        <div class="panel-body">
          {page.error ? (
            <ErrorState error={page.error} retry={page.reload} />
          ) : !page.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <EmptyState title={Object.keys(filters).length ? 'No event matches these filters' : 'No event received yet'}>
              {Object.keys(filters).length ? (
                <p>
                  Types are matched exactly; a payload filter must be contained in the payload. <a href={href(PATH)}>Clear the filters</a>.
                </p>
              ) : (
                <p>
                  Point a provider at <code>POST /hooks/&lt;source id&gt;</code> on the ingest app, or send a signed test with{' '}
                  <code>hookflow send --source &lt;id&gt; --file payload.json</code>.
                </p>
              )}
            </EmptyState>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table table-fixed">
                  <colgroup>
                    <col class="col-time" />
                    <col class="col-id" />
                    <col />
                    <col class="col-status" />
                    <col class="col-size" />
                    <col class="col-runs" />
                  </colgroup>
                  <thead>
                    <tr>
                      <th scope="col">Received</th>
                      <th scope="col">Source</th>
                      <th scope="col">Type · key</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="num">
                        Size
                      </th>
                      <th scope="col">Runs</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((event) => (
                      <EventRow key={event.id} session={session} event={event} />
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager path={PATH} query={filters} nextCursor={page.data.nextCursor} onFirstPage={!after} count={items.length} />
            </>
          )}
        </div>
      </section>
      <FeedPanel session={session} />
    </div>
  );
}

function EventRow({ session, event }: { session: Session; event: Schemas['EventSummaryView'] }) {
  const runs = useAsync((signal) => session.api.get('/runs', { query: { event: event.id, limit: 20 }, signal }), [event.id]);
  return (
    <tr>
      <td>
        <a href={href(`/events/${event.id}`)} title={`Open event ${event.id}`}>
          <Time at={event.receivedAt} />
        </a>
      </td>
      <td class="truncate">{event.sourceId}</td>
      <td class="truncate" title={`${event.type ?? ''} · ${event.idempotencyKey}`}>
        <a href={href(`/events/${event.id}`)} class="plain-link">
          {event.type ?? <span class="muted">(no type)</span>}
        </a>{' '}
        <span class="muted">{event.idempotencyKey}</span>
      </td>
      <td>
        <StatusBadge status={event.status} />
      </td>
      <td class="num">{formatBytes(event.bodyBytes)}</td>
      <td>
        {runs.data ? (
          runs.data.items.length === 0 ? (
            <span class="muted">none</span>
          ) : (
            <span class="run-links">
              {runs.data.items.map((run) => (
                <a key={run.id} href={href(`/runs/${run.id}`)} title={`${run.ruleId} v${run.ruleVersion}: ${run.status} (run ${run.id})`}>
                  <StatusBadge status={run.status} /> <span class="muted">{run.ruleId}</span>
                </a>
              ))}
            </span>
          )
        ) : runs.error ? (
          <span class="muted">?</span>
        ) : (
          <span class="muted">…</span>
        )}
      </td>
    </tr>
  );
}

function EventFilters({ session, filters }: { session: Session; filters: Filters }) {
  const sources = useAsync((signal) => session.api.get('/sources', { query: { limit: 500 }, signal }), []);
  const [draft, setDraft] = useState(filters);
  const [payloadError, setPayloadError] = useState<string>();
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const value = (event: Event): string => (event.currentTarget as HTMLInputElement).value;
  const set = (name: keyof Filters, next: string, apply = false): void => {
    const updated = { ...draft, [name]: next || undefined };
    setDraft(updated);
    if (apply) navigate(href(PATH, updated));
  };
  return (
    <form
      class="filters panel"
      role="search"
      aria-label="Filter events"
      onSubmit={(event) => {
        event.preventDefault();
        if (draft.payload) {
          try {
            const parsed: unknown = JSON.parse(draft.payload);
            if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
          } catch {
            setPayloadError('Give a JSON object or array the payload contains, such as {"customer":"acme"}.');
            return;
          }
        }
        setPayloadError(undefined);
        navigate(href(PATH, draft));
      }}
    >
      <Field label="Source">
        <select value={draft.source ?? ''} onChange={(event) => set('source', value(event), true)}>
          <option value="">any</option>
          {(sources.data?.items ?? []).map((source) => (
            <option key={source.id} value={source.id}>
              {source.id}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Type (exact)">
        <input type="text" value={draft.type ?? ''} placeholder="order.created" onInput={(event) => set('type', value(event))} />
      </Field>
      <Field label="Status">
        <select value={draft.status ?? ''} onChange={(event) => set('status', value(event), true)}>
          <option value="">any</option>
          {EVENT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </Field>
      <TimeRangeFields from={draft.from} to={draft.to} onChange={set} />
      <Field label="Payload contains (JSON)">
        <input
          type="search"
          class="wide"
          value={draft.payload ?? ''}
          placeholder='{"customer":{"id":"cus_1"}}'
          onInput={(event) => set('payload', value(event))}
          aria-invalid={payloadError ? true : undefined}
        />
      </Field>
      <FilterActions label="Search" resetHref={href(PATH)} />
      {payloadError ? (
        <p class="field-error" role="alert">
          {payloadError}
        </p>
      ) : null}
    </form>
  );
}

/** The pull feed's cursor for polling consumers: start from here to get only what commits from now on. */
function FeedPanel({ session }: { session: Session }) {
  const head = useAsync((signal) => session.api.get('/events/feed/head', { signal }), []);
  const origin = window.location.origin;
  return (
    <Section
      title="Pull feed for polling consumers"
      id="feed"
      actions={
        <button type="button" class="button button-small" onClick={head.reload}>
          New cursor
        </button>
      }
    >
      <p class="muted">
        A consumer polls <code>GET /events?order=asc&amp;after=&lt;cursor&gt;</code> with the <code>nextCursor</code> it got last: events
        come oldest first, each once, none skipped. Start from this cursor to receive only events that settle from now on (or without{' '}
        <code>after</code> for every event).
      </p>
      {head.error ? (
        <ErrorState error={head.error} retry={head.reload} />
      ) : !head.data ? (
        <Loading />
      ) : (
        <>
          <div class="cursor-row">
            <code class="cursor" title="Feed cursor">
              {head.data.cursor}
            </code>
            <CopyButton text={head.data.cursor} label="Copy cursor" />
          </div>
          <CodeBlock label="Example poll">
            {`curl -H "Authorization: Bearer $HOOKFLOW_API_KEY" \\\n  "${origin}/events?order=asc&limit=100&after=${head.data.cursor}"\n\n# or follow it from a terminal:\nhookflow events tail --url ${origin}`}
          </CodeBlock>
          <p class="muted small">
            Cursor {shortId(head.data.cursor)}… is valid in this PostgreSQL cluster only; after a restore the feed answers 409 feed_reset.
          </p>
        </>
      )}
    </Section>
  );
}
