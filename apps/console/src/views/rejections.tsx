import { Fragment, type ComponentChildren } from 'preact';
import type { Schemas } from '../api/client';
import { formatBytes, formatTime } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { REJECTION_HINTS } from '../lib/vocabulary';
import { href, navigate } from '../router';
import type { Session } from '../session';
import { CopyButton, Facts, Field, Section, Time } from '../ui/bits';
import { Pager } from '../ui/pager';
import { EmptyState, ErrorState, Loading } from '../ui/states';

const PATH = '/rejections';

/**
 * The capped log of deliveries ingest refused, per source: the reason code, the answer the sender
 * got, the sender's address, and what to check for each reason.
 */
export function RejectionsView({ session, query }: { session: Session; query: URLSearchParams }) {
  const sources = useAsync((signal) => session.api.get('/sources', { query: { limit: 500 }, signal }), []);
  const source = query.get('source') ?? undefined;
  return (
    <div class="stack">
      <div class="page-header">
        <h1>Rejected deliveries</h1>
        <p class="muted">
          Deliveries ingest refused (bad or missing signature, stale timestamp, address not allowed, body too large…), newest first. The log
          keeps the newest <code>HOOKFLOW_REJECTION_LOG_SIZE</code> per source; bodies, headers and secrets are never kept.
        </p>
      </div>
      <form class="filters panel" role="search" aria-label="Choose a source" onSubmit={(event) => event.preventDefault()}>
        <Field label="Source">
          <select value={source ?? ''} onChange={(event) => navigate(href(PATH, { source: event.currentTarget.value }))}>
            <option value="">choose a source</option>
            {(sources.data?.items ?? []).map((item) => (
              <option key={item.id} value={item.id}>
                {item.id}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {source ? (
        <SourceRejections session={session} source={source} after={query.get('after') ?? undefined} />
      ) : sources.error ? (
        <ErrorState error={sources.error} retry={sources.reload} />
      ) : !sources.data ? (
        <Loading />
      ) : (
        <Section title="Rejections in the last 24 hours, by source" id="by-source">
          {(sources.data.items ?? []).length === 0 ? (
            <EmptyState title="No sources yet" />
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Rejected</th>
                </tr>
              </thead>
              <tbody>
                {(sources.data.items ?? []).map((item) => (
                  <SourceSummaryRow key={item.id} session={session} source={item} />
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
    </div>
  );
}

function SourceSummaryRow({ session, source }: { session: Session; source: Schemas['SourceView'] }) {
  const health = useAsync((signal) => session.api.get('/sources/{id}/health', { path: { id: source.id }, signal }), [source.id]);
  const rejected = health.data?.lastDay.rejected;
  return (
    <tr>
      <th scope="row">
        <a href={href(PATH, { source: source.id })}>{source.id}</a>
      </th>
      <td>
        {!rejected ? (
          <span class="muted">…</span>
        ) : rejected.total === 0 ? (
          <span class="muted">none</span>
        ) : (
          <span class="reasons">
            {Object.entries(rejected.byReason).map(([reason, count]) => (
              <span key={reason} class="chip" title={REJECTION_HINTS[reason] ?? reason}>
                {reason} {count}
              </span>
            ))}
          </span>
        )}
      </td>
    </tr>
  );
}

function SourceRejections({ session, source, after }: { session: Session; source: string; after: string | undefined }) {
  const page = useAsync(
    (signal) => session.api.get('/sources/{id}/rejections', { path: { id: source }, query: { after, limit: 50 }, signal }),
    [source, after],
  );
  const health = useAsync((signal) => session.api.get('/sources/{id}/health', { path: { id: source }, signal }), [source]);
  const items = page.data?.items ?? [];
  const reasons = health.data ? Object.entries(health.data.lastDay.rejected.byReason) : [];
  return (
    <>
      {reasons.length > 0 ? (
        <Section title="What to check, by reason (last 24 hours)" id="reasons">
          <dl class="reason-list">
            {reasons.map(([reason, count]) => (
              <div key={reason}>
                <dt>
                  <span class="chip">{reason}</span> {count}
                </dt>
                <dd>{REJECTION_HINTS[reason] ?? 'See the message of each rejection below.'}</dd>
              </div>
            ))}
          </dl>
        </Section>
      ) : null}
      <Section title={`Rejected deliveries to ${source}`} id="rejections">
        {page.error ? (
          <ErrorState error={page.error} retry={page.reload} />
        ) : !page.data ? (
          <Loading />
        ) : items.length === 0 ? (
          <EmptyState title="No rejected delivery is logged for this source">
            <p>Every delivery it received within the log's retention was accepted.</p>
          </EmptyState>
        ) : (
          <>
            <div class="table-wrap">
              <table class="table table-fixed">
                <colgroup>
                  <col class="col-time" />
                  <col class="col-reason" />
                  <col class="col-status" />
                  <col />
                  <col class="col-id" />
                </colgroup>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Answer</th>
                    <th scope="col">Message the sender got</th>
                    <th scope="col">Client address</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <Fragment key={item.id}>
                      <tr>
                        <td title={formatTime(item.createdAt)}>
                          <Time at={item.createdAt} />
                        </td>
                        <td>
                          <span class="chip" title={REJECTION_HINTS[item.reason] ?? item.reason}>
                            {item.reason}
                          </span>
                        </td>
                        <td>{item.status}</td>
                        <td class="break">{item.message}</td>
                        <td>{item.clientIp ?? <span class="muted">—</span>}</td>
                      </tr>
                      {item.diagnostics ? (
                        <tr class="rejection-diagnostics">
                          <td colSpan={5}>
                            <RejectionDiagnostics diagnostics={item.diagnostics} />
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager path={PATH} query={{ source }} nextCursor={page.data.nextCursor} onFirstPage={!after} count={items.length} />
          </>
        )}
      </Section>
    </>
  );
}

/**
 * What ingest recorded about one refusal (DESIGN.md, "Rejections explain themselves"), folded in a
 * native <details> so the keyboard and screen readers work without extra code. A re-serialisation
 * hint is shown unfolded: it is usually the whole answer.
 */
function RejectionDiagnostics({ diagnostics }: { diagnostics: Schemas['RejectionDiagnosticsView'] }) {
  const hint = diagnostics.reserialisation;
  const facts: [string, ComponentChildren][] = [['Verifier', diagnostics.provider]];
  if (diagnostics.signatureHeader) facts.push(['Signature header', <code>{diagnostics.signatureHeader}</code>]);
  if (diagnostics.timestampHeader) facts.push(['Timestamp header', <code>{diagnostics.timestampHeader}</code>]);
  const bytes = `${diagnostics.bodyBytes} bytes`;
  // The exact count is what a sender compares; the rounded size only helps past a kilobyte.
  facts.push(['Body as received', diagnostics.bodyBytes < 1024 ? bytes : `${bytes} (${formatBytes(diagnostics.bodyBytes)})`]);
  facts.push([
    'Body SHA-256',
    diagnostics.bodySha256 ? (
      <span>
        <code class="break">{diagnostics.bodySha256}</code> <CopyButton text={diagnostics.bodySha256} label="Copy hash" />
      </span>
    ) : (
      <span class="muted">not kept: the body carries the source's secret</span>
    ),
  ]);
  facts.push(['Content-Type', diagnostics.contentType ? <code>{diagnostics.contentType}</code> : <span class="muted">none</span>]);
  if (diagnostics.timestampSkewSeconds !== undefined) facts.push(['Timestamp skew', skewText(diagnostics)]);
  return (
    <details open={!!hint}>
      <summary>
        Diagnostics: {diagnostics.provider}
        {diagnostics.signatureHeader ? ` · ${diagnostics.signatureHeader}` : ''}
        {hint ? ' · signed a re-serialised body' : ''}
      </summary>
      {hint ? (
        <p class="notice notice-warning" role="note">
          <strong>Signed as {hint.signedForm}.</strong> {capitalised(hint.hint)}.
        </p>
      ) : null}
      <Facts items={facts} />
    </details>
  );
}

/** "912 s old, over the 300 s tolerance"; positive skew means the signed timestamp is in the past. */
function skewText({ timestampSkewSeconds: skew = 0, toleranceSeconds }: Schemas['RejectionDiagnosticsView']): string {
  const age = skew >= 0 ? `${skew} s old` : `${-skew} s in the future`;
  if (toleranceSeconds === undefined) return age;
  return `${age}, ${Math.abs(skew) > toleranceSeconds ? 'over' : 'within'} the ${toleranceSeconds} s tolerance`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
