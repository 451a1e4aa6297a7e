import { useState } from 'preact/hooks';
import type { ApiProblem, Schemas } from '../api/client';
import { formatTime, shortId } from '../lib/format';
import { asProblem } from '../lib/use-async';
import { href } from '../router';
import type { Session } from '../session';
import { StatusBadge } from '../ui/badges';
import { Field, Section } from '../ui/bits';
import { JsonTree } from '../ui/json-tree';
import { EmptyState, ErrorState, Notice } from '../ui/states';

type DryRun = Schemas['DryRunView'];
type Outcome = { eventId: string; result?: DryRun; error?: ApiProblem };
const MAX_EVENTS = 20;

/**
 * Backtest a rule before trusting it: against one stored event or the last N events of its source,
 * whether each would make a run, and what every step would send. Nothing is sent, written or
 * recorded (a read key may do it). With the editor open, the draft is tested instead of the saved rule.
 */
export function DryRunPanel({ session, rule, draft }: { session: Session; rule: Schemas['RuleView']; draft?: Record<string, unknown> }) {
  const [mode, setMode] = useState<'last' | 'event'>('last');
  const [count, setCount] = useState(5);
  const [eventId, setEventId] = useState('');
  const [outcomes, setOutcomes] = useState<Outcome[]>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [busy, setBusy] = useState(false);
  const wildcard = rule.source === '*';

  const run = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setOutcomes(undefined);
    try {
      const ids =
        mode === 'event'
          ? [eventId.trim()]
          : ((
              await session.api.get('/events', {
                query: { source: wildcard ? undefined : rule.source, limit: Math.min(MAX_EVENTS, count) },
              })
            ).items.map((item) => item.id) ?? []);
      const results: Outcome[] = [];
      for (const id of ids) {
        try {
          const result = draft
            ? await session.api.post('/rules/test', { body: { rule: draft as Schemas['RuleDefinitionDto'], eventId: id } })
            : await session.api.post('/rules/{id}/test', { path: { id: rule.id }, body: { eventId: id } });
          results.push({ eventId: id, result });
        } catch (error) {
          results.push({ eventId: id, error: asProblem(error) });
        }
        setOutcomes([...results]);
      }
      setOutcomes(results);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const matched = outcomes?.filter((outcome) => outcome.result?.matches).length ?? 0;
  return (
    <Section title={draft ? 'Dry run of the draft' : 'Dry run'} id="dry-run">
      <form class="filters" onSubmit={(event) => void run(event)} aria-label="Dry run">
        <Field label="Test against">
          <select value={mode} onChange={(event) => setMode(event.currentTarget.value as 'last' | 'event')}>
            <option value="last">the last events of {wildcard ? 'any source' : `source ${rule.source}`}</option>
            <option value="event">one stored event</option>
          </select>
        </Field>
        {mode === 'last' ? (
          <Field label="How many">
            <input
              type="number"
              min={1}
              max={MAX_EVENTS}
              value={count}
              onInput={(event) => setCount(Math.max(1, Math.min(MAX_EVENTS, Number(event.currentTarget.value) || 1)))}
            />
          </Field>
        ) : (
          <Field label="Event id">
            <input
              type="text"
              class="wide"
              required
              pattern="[0-9a-fA-F-]{36}"
              placeholder="0190…"
              value={eventId}
              onInput={(event) => setEventId(event.currentTarget.value)}
            />
          </Field>
        )}
        <div class="filter-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Running…' : 'Run dry run'}
          </button>
        </div>
      </form>
      <p class="muted small">
        Nothing is sent, written or recorded. <code>{'${VAR}'}</code> references are not resolved in a dry run, and http, email and db steps
        are not executed: later steps see a placeholder for their output.
      </p>
      {problem ? <ErrorState error={problem} title="The dry run could not start" /> : null}
      {outcomes && outcomes.length === 0 ? (
        <EmptyState title="No stored event to test against">
          <p>The source has received no event yet. Send one (hookflow send), or test an event id.</p>
        </EmptyState>
      ) : null}
      {outcomes && outcomes.length > 0 ? (
        <>
          <Notice kind={matched > 0 ? 'info' : 'warning'}>
            {matched} of {outcomes.length} event{outcomes.length === 1 ? '' : 's'} would make a run{busy ? ' (so far)' : ''}.
          </Notice>
          <ol class="dry-runs">
            {outcomes.map((outcome) => (
              <DryRunResult key={outcome.eventId} outcome={outcome} />
            ))}
          </ol>
        </>
      ) : null}
    </Section>
  );
}

function DryRunResult({ outcome }: { outcome: Outcome }) {
  const { result, error } = outcome;
  return (
    <li class="dry-run">
      <details open={!!result?.matches}>
        <summary>
          <a href={href(`/events/${outcome.eventId}`)}>event {shortId(outcome.eventId)}</a>{' '}
          {result ? (
            <>
              <span class="muted">
                {result.event.type ?? '(no type)'} · {formatTime(result.event.receivedAt)}
              </span>{' '}
              <span class={`badge badge-${result.matches ? 'good' : 'muted'}`}>{result.matches ? 'would run' : 'no run'}</span>
            </>
          ) : (
            <span class="badge badge-bad">error</span>
          )}
        </summary>
        {error ? <ErrorState error={error} title="Could not test this event" /> : null}
        {result ? (
          <div class="dry-run-body">
            <ul class="plain-list why">
              <li>
                source: {result.source.matches ? '✓' : '✗'} rule {result.source.rule}, event {result.source.event}
              </li>
              <li>
                event type: {result.eventType.matches ? '✓' : '✗'} {result.eventType.event ?? '(none)'} against{' '}
                {result.eventType.patterns?.join(', ') ?? 'every type'}
              </li>
              {result.when ? (
                <li>
                  when <code>{result.when.expression}</code>:{' '}
                  {result.when.error ? <span class="text-bad">{result.when.error}</span> : <code>{JSON.stringify(result.when.value)}</code>}
                </li>
              ) : null}
            </ul>
            {result.matches ? (
              <ol class="dry-steps">
                {result.steps.map((step) => (
                  <li key={step.id} class={`dry-step dry-${step.status}`}>
                    <p>
                      <strong>{step.id}</strong> <span class="muted">{step.type}</span>{' '}
                      <StatusBadge status={step.status === 'rendered' ? 'succeeded' : step.status === 'failed' ? 'failed' : 'discarded'} />{' '}
                      <span class="muted">{step.status}</span>
                    </p>
                    {step.error ? <p class="attempt-error">{step.error}</p> : null}
                    {step.when && step.status === 'skipped' ? (
                      <p class="muted">
                        when <code>{step.when.expression}</code> gave {JSON.stringify(step.when.value)}
                      </p>
                    ) : null}
                    {step.request ? (
                      <>
                        <p class="request-line">
                          <code>
                            {step.request.method} {step.request.url}
                          </code>
                        </p>
                        <details>
                          <summary>Headers and body it would send</summary>
                          <JsonTree value={{ headers: step.request.headers, body: step.request.body }} openDepth={2} />
                        </details>
                      </>
                    ) : null}
                    {step.input !== undefined ? (
                      <details>
                        <summary>Input it would get</summary>
                        <JsonTree value={step.input} openDepth={2} />
                      </details>
                    ) : null}
                    {step.output !== undefined ? (
                      <details>
                        <summary>Output (computed)</summary>
                        <JsonTree value={step.output} openDepth={2} />
                      </details>
                    ) : null}
                    {step.placeholdersFrom?.length ? (
                      <p class="muted small">Uses placeholders for the output of {step.placeholdersFrom.join(', ')}.</p>
                    ) : null}
                  </li>
                ))}
              </ol>
            ) : null}
          </div>
        ) : null}
      </details>
    </li>
  );
}
