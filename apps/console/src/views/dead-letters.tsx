import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Query, Schemas } from '../api/client';
import { formatCount, shortId } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { CAUSE_NAMES, causeInfo, DEAD_LETTER_STATUSES, type DeadLetterCause, SIDE_LABEL } from '../lib/vocabulary';
import { href, navigate } from '../router';
import { READ_ONLY_REASON, type Session } from '../session';
import { CauseBadge, StatusBadge } from '../ui/badges';
import { Field, Time } from '../ui/bits';
import { FilterActions, TimeRangeFields } from '../ui/filter-fields';
import { Pager } from '../ui/pager';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { DiscardDialog, ReplayDialog, type ReplayRequest } from './dead-letter-actions';
import { ReplayTracker, type TrackedReplay } from './replay-tracker';

const PATH = '/dead-letters';
const FILTER_NAMES = ['status', 'source', 'rule', 'cause', 'destination', 'error', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof FILTER_NAMES)[number], string>>;

/** The URL's filters; no status means pending (what needs review), `all` means any. */
function filtersOf(query: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

function apiFilter(filters: Filters): Query<'/dead-letters/groups', 'get'> {
  return {
    status: filters.status === 'all' ? undefined : ((filters.status ?? 'pending') as Schemas['DeadLetterView']['status']),
    source: filters.source,
    rule: filters.rule,
    cause: filters.cause as DeadLetterCause | undefined,
    destination: filters.destination,
    error: filters.error,
    from: filters.from,
    to: filters.to,
  };
}

export function DeadLettersView({ session, query }: { session: Session; query: URLSearchParams }) {
  const { api } = session;
  const filters = filtersOf(query);
  const after = query.get('after') ?? undefined;
  const key = JSON.stringify(filters);
  const filter = useMemo(() => apiFilter(filters), [key]);
  const page = useAsync((signal) => api.get('/dead-letters', { query: { ...filter, after, limit: 50 }, signal }), [key, after]);
  const groups = useAsync((signal) => api.get('/dead-letters/groups', { query: filter, signal }), [key]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<'replay-selected' | 'replay-all' | 'discard' | undefined>();
  const [tracked, setTracked] = useState<TrackedReplay[]>([]);

  useEffect(() => setSelected(new Set()), [key, after]);
  const reload = (): void => {
    page.reload();
    groups.reload();
  };

  const items = page.data?.items ?? [];
  const pendingOnPage = items.filter((item) => item.status === 'pending');
  const allSelected = pendingOnPage.length > 0 && pendingOnPage.every((item) => selected.has(item.id));
  const toggle = (id: string): void =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const replayRequest: ReplayRequest | undefined =
    dialog === 'replay-selected' ? { kind: 'ids', ids: [...selected] } : dialog === 'replay-all' ? { kind: 'filter', filter } : undefined;

  return (
    <div class="stack">
      <div class="page-header">
        <h1>Dead letters</h1>
        <p class="muted">
          Runs that used up their retries. Group them by cause and destination to tell their outage from our bug, then replay or discard.
        </p>
      </div>
      <FilterBar session={session} filters={filters} />
      <Groups state={groups} filters={filters} />
      {tracked.length > 0 ? (
        <ReplayTracker session={session} replays={tracked} onSettled={reload} onDismiss={() => setTracked([])} />
      ) : null}
      <section class="panel" aria-labelledby="dead-letter-list-title">
        <header class="panel-header">
          <h2 id="dead-letter-list-title">
            {groups.data ? `${formatCount(groups.data.total)} dead letter${groups.data.total === 1 ? '' : 's'}` : 'Dead letters'}
            {filters.status === 'all' ? '' : ` · ${filters.status ?? 'pending'}`}
          </h2>
          <div class="panel-actions" role="toolbar" aria-label="Act on dead letters">
            <button type="button" class="button" onClick={reload}>
              Refresh
            </button>
            <button
              type="button"
              class="button button-primary"
              disabled={!session.canWrite || selected.size === 0}
              title={!session.canWrite ? READ_ONLY_REASON : selected.size === 0 ? 'Select pending dead letters first' : undefined}
              onClick={() => setDialog('replay-selected')}
            >
              Replay selected ({selected.size})
            </button>
            <button
              type="button"
              class="button"
              disabled={!session.canWrite || (filters.status !== undefined && filters.status !== 'pending') || groups.data?.total === 0}
              title={!session.canWrite ? READ_ONLY_REASON : 'Replay every pending dead letter these filters select'}
              onClick={() => setDialog('replay-all')}
            >
              Replay all matching…
            </button>
            <button
              type="button"
              class="button button-danger"
              disabled={!session.canWrite || selected.size === 0}
              title={!session.canWrite ? READ_ONLY_REASON : undefined}
              onClick={() => setDialog('discard')}
            >
              Discard selected…
            </button>
          </div>
        </header>
        {!session.canWrite ? <p class="read-only-note">{READ_ONLY_REASON}</p> : null}
        <div class="panel-body">
          {page.error ? (
            <ErrorState error={page.error} retry={page.reload} />
          ) : !page.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <EmptyDeadLetters filters={filters} />
          ) : (
            <>
              <div class="table-wrap">
                <table class="table table-fixed" aria-describedby="dead-letter-list-title">
                  <colgroup>
                    <col class="col-check" />
                    <col class="col-time" />
                    <col class="col-source" />
                    <col class="col-rule" />
                    <col class="col-cause" />
                    <col class="col-dest" />
                    <col />
                    <col class="col-status" />
                  </colgroup>
                  <thead>
                    <tr>
                      <th scope="col">
                        <input
                          type="checkbox"
                          aria-label="Select every pending dead letter on this page"
                          checked={allSelected}
                          disabled={pendingOnPage.length === 0}
                          onChange={() => setSelected(allSelected ? new Set() : new Set(pendingOnPage.map((item) => item.id)))}
                        />
                      </th>
                      <th scope="col">Created</th>
                      <th scope="col">Source</th>
                      <th scope="col">Rule · step</th>
                      <th scope="col">Cause</th>
                      <th scope="col">Destination</th>
                      <th scope="col">Error</th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((item) => (
                      <tr key={item.id} class={selected.has(item.id) ? 'selected' : undefined} data-dead-letter={item.id}>
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Select dead letter ${shortId(item.id)}`}
                            checked={selected.has(item.id)}
                            disabled={item.status !== 'pending'}
                            onChange={() => toggle(item.id)}
                          />
                        </td>
                        <td>
                          <a href={href(`/runs/${item.runId}`)} title={`Open the run ${item.runId}`}>
                            <Time at={item.createdAt} />
                          </a>
                        </td>
                        <td class="truncate">{item.sourceId}</td>
                        <td class="truncate" title={`${item.ruleId} · ${item.stepId ?? ''}`}>
                          {item.ruleId}
                          {item.stepId ? <span class="muted"> · {item.stepId}</span> : null}
                        </td>
                        <td>
                          <CauseBadge cause={item.cause} />
                        </td>
                        <td class="truncate" title={item.destination ?? 'no HTTP request'}>
                          {item.destination ?? <span class="muted">—</span>}
                        </td>
                        <td class="truncate" title={item.error}>
                          <a href={href(`/runs/${item.runId}`)} class="plain-link">
                            {item.error}
                          </a>
                        </td>
                        <td>
                          <StatusBadge status={item.status} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager path={PATH} query={filters} nextCursor={page.data.nextCursor} onFirstPage={!after} count={items.length} />
            </>
          )}
        </div>
      </section>
      {replayRequest ? (
        <ReplayDialog
          session={session}
          request={replayRequest}
          onClose={() => setDialog(undefined)}
          onReplayed={(replays) => {
            setTracked(replays);
            setSelected(new Set());
            reload();
          }}
        />
      ) : null}
      {dialog === 'discard' ? (
        <DiscardDialog
          session={session}
          ids={[...selected]}
          onClose={() => setDialog(undefined)}
          onDiscarded={() => {
            setSelected(new Set());
            reload();
          }}
        />
      ) : null}
    </div>
  );
}

function EmptyDeadLetters({ filters }: { filters: Filters }) {
  const filtered = Object.keys(filters).some((name) => name !== 'status');
  if (filtered) {
    return (
      <EmptyState title="No dead letter matches these filters">
        <p>
          Widen the time range or <a href={href(PATH, { status: filters.status })}>clear the filters</a>.
        </p>
      </EmptyState>
    );
  }
  if ((filters.status ?? 'pending') === 'pending') {
    return (
      <EmptyState title="No dead letter is waiting">
        <p>
          Every run that failed has been replayed, resolved or discarded. <a href={href(PATH, { status: 'all' })}>See all dead letters</a>.
        </p>
      </EmptyState>
    );
  }
  return <EmptyState title={`No ${filters.status === 'all' ? '' : `${filters.status} `}dead letters`} />;
}

function Groups({ state, filters }: { state: ReturnType<typeof useAsync<Schemas['DeadLetterGroupsView']>>; filters: Filters }) {
  if (state.error) return <ErrorState error={state.error} retry={state.reload} title="Could not group the dead letters" />;
  if (!state.data) return <Loading what="Grouping" />;
  const { byCause, byDestination, total } = state.data;
  if (total === 0) return null;
  const sides = (['theirs', 'ours', 'hookflow'] as const)
    .map((side) => ({ side, groups: byCause.filter((group) => causeInfo(group.cause).side === side) }))
    .filter((entry) => entry.groups.length > 0);
  const toggled = (name: 'cause' | 'destination', value: string): string =>
    href(PATH, { ...filters, [name]: filters[name] === value ? undefined : value, after: undefined });
  return (
    <section class="groups" aria-label="Dead letters grouped">
      <div class="panel group-panel">
        <h2>By cause</h2>
        {sides.map(({ side, groups }) => (
          <div key={side} class="group-side">
            <h3 class={`side side-${side}`}>{SIDE_LABEL[side]}</h3>
            <ul class="bars">
              {groups.map((group) => (
                <li key={group.cause}>
                  <a
                    href={toggled('cause', group.cause)}
                    class={filters.cause === group.cause ? 'bar-row active' : 'bar-row'}
                    aria-pressed={filters.cause === group.cause}
                    title={causeInfo(group.cause).hint}
                  >
                    <span class="bar-label">{causeInfo(group.cause).label}</span>
                    <span class="bar-track">
                      <span class={`bar-fill bar-${side}`} data-share={Math.round((group.count / total) * 20) * 5} />
                    </span>
                    <span class="bar-count">{formatCount(group.count)}</span>
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      <div class="panel group-panel">
        <h2>By destination</h2>
        <ul class="bars">
          {byDestination.map((group) => (
            <li key={group.destination ?? '-'}>
              {group.destination ? (
                <a
                  href={toggled('destination', group.destination)}
                  class={filters.destination === group.destination ? 'bar-row active' : 'bar-row'}
                  aria-pressed={filters.destination === group.destination}
                >
                  <span class="bar-label">{group.destination}</span>
                  <span class="bar-track">
                    <span class="bar-fill bar-dest" data-share={Math.round((group.count / total) * 20) * 5} />
                  </span>
                  <span class="bar-count">{formatCount(group.count)}</span>
                </a>
              ) : (
                <span class="bar-row">
                  <span class="bar-label muted">no HTTP request</span>
                  <span class="bar-track">
                    <span class="bar-fill bar-muted" data-share={Math.round((group.count / total) * 20) * 5} />
                  </span>
                  <span class="bar-count">{formatCount(group.count)}</span>
                </span>
              )}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

const QUICK_RANGES: { label: string; ms?: number }[] = [
  { label: 'Any time' },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
];

function FilterBar({ session, filters }: { session: Session; filters: Filters }) {
  const { api } = session;
  const sources = useAsync((signal) => api.get('/sources', { query: { limit: 500 }, signal }), []);
  const rules = useAsync((signal) => api.get('/rules', { query: { limit: 500 }, signal }), []);
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);

  const apply = (next: Filters): void => navigate(href(PATH, { ...next }));
  const set = (name: keyof Filters, value: string, immediately = false): void => {
    const next = { ...draft, [name]: value || undefined };
    setDraft(next);
    if (immediately) apply(next);
  };
  const input = (event: Event): string => (event.currentTarget as HTMLInputElement).value;

  return (
    <form
      class="filters panel"
      role="search"
      aria-label="Filter dead letters"
      onSubmit={(event) => {
        event.preventDefault();
        apply(draft);
      }}
    >
      <Field label="Status">
        <select value={draft.status ?? 'pending'} onChange={(event) => set('status', input(event), true)}>
          {DEAD_LETTER_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
          <option value="all">all</option>
        </select>
      </Field>
      <Field label="Source">
        <select value={draft.source ?? ''} onChange={(event) => set('source', input(event), true)}>
          <option value="">any</option>
          {(sources.data?.items ?? []).map((source) => (
            <option key={source.id} value={source.id}>
              {source.id}
            </option>
          ))}
          {draft.source && !sources.data?.items?.some((source) => source.id === draft.source) ? (
            <option value={draft.source}>{draft.source}</option>
          ) : null}
        </select>
      </Field>
      <Field label="Rule">
        <select value={draft.rule ?? ''} onChange={(event) => set('rule', input(event), true)}>
          <option value="">any</option>
          {(rules.data?.items ?? []).map((rule) => (
            <option key={rule.id} value={rule.id}>
              {rule.id}
            </option>
          ))}
          {draft.rule && !rules.data?.items?.some((rule) => rule.id === draft.rule) ? (
            <option value={draft.rule}>{draft.rule}</option>
          ) : null}
        </select>
      </Field>
      <Field label="Cause">
        <select value={draft.cause ?? ''} onChange={(event) => set('cause', input(event), true)}>
          <option value="">any</option>
          {CAUSE_NAMES.map((cause) => (
            <option key={cause} value={cause}>
              {causeInfo(cause).label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Destination host">
        <input
          type="text"
          value={draft.destination ?? ''}
          placeholder="api.example.com"
          onInput={(event) => set('destination', input(event))}
        />
      </Field>
      <Field label="Error contains">
        <input
          type="search"
          name="error"
          value={draft.error ?? ''}
          placeholder="answered 503"
          onInput={(event) => set('error', input(event))}
        />
      </Field>
      <Field label="Created">
        <select
          value=""
          onChange={(event) => {
            const range = QUICK_RANGES[Number(input(event))];
            if (!range) return;
            apply({ ...draft, from: range.ms ? new Date(Date.now() - range.ms).toISOString() : undefined, to: undefined });
          }}
          aria-label="Quick time range"
        >
          <option value="" disabled>
            {draft.from || draft.to ? 'custom range' : 'any time'}
          </option>
          {QUICK_RANGES.map((range, index) => (
            <option key={range.label} value={String(index)}>
              {range.label}
            </option>
          ))}
        </select>
      </Field>
      <TimeRangeFields from={draft.from} to={draft.to} onChange={set} />
      <FilterActions label="Apply" resetHref={href(PATH)} />
    </form>
  );
}
