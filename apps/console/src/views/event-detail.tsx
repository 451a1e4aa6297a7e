import { useState } from 'preact/hooks';
import type { ApiProblem } from '../api/client';
import { formatBytes, formatTime, shortId } from '../lib/format';
import { asProblem, useAsync } from '../lib/use-async';
import { href, navigate } from '../router';
import { READ_ONLY_REASON, type Session } from '../session';
import { StatusBadge } from '../ui/badges';
import { CopyButton, Facts, Section, Time } from '../ui/bits';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';
import { EventContent } from './event-content';

export function EventDetailView({ session, id }: { session: Session; id: string }) {
  const event = useAsync((signal) => session.api.get('/events/{id}', { path: { id }, signal }), [id]);
  const [problem, setProblem] = useState<ApiProblem>();
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);

  if (event.error) return <ErrorState error={event.error} retry={event.reload} title="Could not load this event" />;
  if (!event.data) return <Loading what="Loading the event" />;
  const data = event.data;

  const replay = async (force: boolean): Promise<void> => {
    setBusy(true);
    setProblem(undefined);
    setMessage(undefined);
    try {
      const answer = await session.api.post('/events/{id}/replay', { path: { id }, body: { force } });
      if (answer.runs.length === 1 && answer.runs[0]) navigate(href(`/runs/${answer.runs[0].runId}`));
      else {
        setMessage(
          `${answer.runs.length} run${answer.runs.length === 1 ? '' : 's'} made` +
            (answer.skipped.length ? `; skipped: ${answer.skipped.map((skip) => skip.message).join('; ')}` : '.'),
        );
        event.reload();
      }
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stack">
      <div class="page-header">
        <p class="crumbs">
          <a href={href('/events')}>Events</a> › <a href={href('/events', { source: data.sourceId })}>{data.sourceId}</a> › event
        </p>
        <h1>
          Event <code class="id">{data.id}</code> <CopyButton text={window.location.href} label="Copy link" />{' '}
          <StatusBadge status={data.status} />
        </h1>
        <Facts
          items={[
            ['Source', <a href={href(`/sources/${encodeURIComponent(data.sourceId)}`)}>{data.sourceId}</a>],
            ['Type', data.type ?? '(none)'],
            ['Received', formatTime(data.receivedAt)],
            ['Dispatched', formatTime(data.dispatchedAt)],
            ['Idempotency key', <code class="break">{data.idempotencyKey}</code>],
            ['Content type', data.contentType ?? '—'],
            ['Size', formatBytes(data.bodyBytes)],
          ]}
        />
      </div>
      <Section
        title={`Runs it caused (${data.runs.length})`}
        id="runs"
        actions={
          <button
            type="button"
            class="button"
            disabled={!session.canWrite || busy || data.status === 'received'}
            title={
              !session.canWrite
                ? READ_ONLY_REASON
                : data.status === 'received'
                  ? 'Not dispatched yet: the engine will make its runs'
                  : 'New runs for every current rule that matches'
            }
            onClick={() => void replay(false)}
          >
            Replay event
          </button>
        }
      >
        {message ? <Notice kind="success">{message}</Notice> : null}
        {problem ? (
          <>
            <ErrorState error={problem} title="Not replayed" />
            {problem.code === 'runs_in_flight' ? (
              <button type="button" class="button" onClick={() => void replay(true)} disabled={busy}>
                Replay anyway (receivers may get it twice)
              </button>
            ) : null}
          </>
        ) : null}
        {data.runs.length === 0 ? (
          <EmptyState title={data.status === 'received' ? 'Not dispatched yet' : 'No rule matched this event'}>
            <p>
              {data.status === 'received'
                ? 'The engine has not matched it against the rules yet.'
                : 'Try a rule against it with a dry run on the rule’s page.'}
            </p>
          </EmptyState>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Rule</th>
                <th scope="col">Status</th>
                <th scope="col">Replay</th>
                <th scope="col">Created</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((run) => (
                <tr key={run.id}>
                  <td>
                    <a href={href(`/runs/${run.id}`)}>
                      <code>{shortId(run.id)}</code>
                    </a>
                  </td>
                  <td>
                    {run.ruleId} <span class="muted">v{run.ruleVersion}</span>
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>{run.replay === 0 ? '—' : `#${run.replay}`}</td>
                  <td>
                    <Time at={run.createdAt} />
                  </td>
                  <td class="truncate" title={run.error ?? ''}>
                    {run.error ?? ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Content" id="content">
        <EventContent event={data} />
      </Section>
    </div>
  );
}
