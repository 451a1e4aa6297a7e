import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiProblem, type Schemas } from '../api/client';
import { formatDuration, formatTime, shortId } from '../lib/format';
import { asProblem, useAsync } from '../lib/use-async';
import { causeInfo, SIDE_LABEL } from '../lib/vocabulary';
import { toYaml } from '../lib/yaml-text';
import { href, navigate } from '../router';
import { READ_ONLY_REASON, type Session } from '../session';
import { CauseBadge, StatusBadge } from '../ui/badges';
import { CodeBlock, CopyButton, Facts, Section, Time } from '../ui/bits';
import { JsonTree } from '../ui/json-tree';
import { ErrorState, Loading, Notice } from '../ui/states';
import { DiscardDialog } from './dead-letter-actions';
import { EventContent } from './event-content';

type Run = Schemas['RunDetailView'];
type Attempt = Schemas['StepAttemptView'];
const UNFINISHED = ['pending', 'running', 'retrying'];

/** One run: what caused it, the rule version it ran, every attempt of every step, and what an operator can do about it. */
export function RunDetailView({ session, id }: { session: Session; id: string }) {
  const { api } = session;
  const [unfinished, setUnfinished] = useState(true);
  const run = useAsync(
    async (signal) => {
      const answer = await api.get('/runs/{id}', { path: { id }, signal });
      setUnfinished(UNFINISHED.includes(answer.status));
      return answer;
    },
    [id],
    unfinished ? 1500 : undefined,
  );
  const data = run.data;
  const event = useAsync(
    (signal) => (data ? api.get('/events/{id}', { path: { id: data.eventId }, signal }) : Promise.resolve(undefined)),
    [data?.eventId],
  );
  const version = useAsync(
    (signal) =>
      data
        ? api.get('/rules/{id}/versions/{version}', { path: { id: data.ruleId, version: data.ruleVersion }, signal })
        : Promise.resolve(undefined),
    [data?.ruleId, data?.ruleVersion],
  );
  const deadLetter = useAsync(
    (signal) =>
      data?.deadLetter ? api.get('/dead-letters/{id}', { path: { id: data.deadLetter.id }, signal }) : Promise.resolve(undefined),
    [data?.deadLetter?.id, data?.deadLetter?.status],
  );

  if (run.error && !data) return <ErrorState error={run.error} retry={run.reload} title="Could not load this run" />;
  if (!data) return <Loading what="Loading the run" />;
  const steps = stepsOf(version.data?.definition, data.attempts);

  return (
    <div class="stack">
      <div class="page-header">
        <p class="crumbs">
          <a href={href('/dead-letters')}>Dead letters</a> › <a href={href(`/events/${data.eventId}`)}>event {shortId(data.eventId)}</a> ›
          run
        </p>
        <h1>
          Run <code class="id">{data.id}</code> <CopyButton text={window.location.href} label="Copy link" />{' '}
          <StatusBadge status={data.status} />
        </h1>
        <Facts
          items={[
            [
              'Rule',
              <>
                <a href={href(`/rules/${encodeURIComponent(data.ruleId)}`)}>{data.ruleId}</a> version {data.ruleVersion}
              </>,
            ],
            ['Source', <a href={href(`/sources/${encodeURIComponent(data.sourceId)}`)}>{data.sourceId}</a>],
            ['Event', <a href={href(`/events/${data.eventId}`)}>{data.eventId}</a>],
            ['Created', formatTime(data.createdAt)],
            ['Finished', data.finishedAt ? formatTime(data.finishedAt) : 'not yet'],
            ['Executions', String(data.executions)],
            [
              'Replay',
              data.replay === 0 ? (
                'the run dispatch made'
              ) : (
                <>
                  #{data.replay}
                  {data.replayOf ? (
                    <>
                      {' '}
                      of <a href={href(`/runs/${data.replayOf}`)}>run {shortId(data.replayOf)}</a>
                    </>
                  ) : null}
                </>
              ),
            ],
            ...(data.nextAttemptAt && data.status === 'retrying'
              ? ([['Next try', <Time at={data.nextAttemptAt} />]] as [string, ComponentChildren][])
              : []),
          ]}
        />
        {data.error ? (
          <p class="run-error" role="note">
            {data.error}
          </p>
        ) : null}
      </div>

      <RunActions session={session} run={data} deadLetter={deadLetter.data} onChanged={run.reload} />

      <Section title="Steps and attempts" id="timeline">
        {version.error ? (
          <Notice kind="warning">The rule version could not be read ({version.error.message}); attempts are shown in order.</Notice>
        ) : null}
        {steps.length === 0 ? (
          <p class="muted">
            {UNFINISHED.includes(data.status)
              ? 'No step has been tried yet: the run is waiting for a worker.'
              : 'This run made no attempt.'}
          </p>
        ) : (
          <ol class="timeline">
            {steps.map((step) => (
              <StepEntry key={step.id} step={step} run={data} />
            ))}
          </ol>
        )}
      </Section>

      <Section title="The event that caused it" id="event">
        {event.error ? (
          <ErrorState error={event.error} retry={event.reload} />
        ) : !event.data ? (
          <Loading />
        ) : (
          <EventContent event={event.data} />
        )}
      </Section>

      <Section title={`Rule ${data.ruleId}, version ${data.ruleVersion} (the one that ran)`} id="rule-version">
        {version.error ? (
          <ErrorState error={version.error} retry={version.reload} />
        ) : !version.data ? (
          <Loading />
        ) : (
          <details>
            <summary>
              Definition {version.data.current ? '(still the current version)' : '(a newer version exists)'} · checksum{' '}
              <code>{version.data.checksum.slice(0, 12)}</code>
            </summary>
            <CodeBlock label="Rule version YAML">{toYaml(version.data.definition)}</CodeBlock>
          </details>
        )}
      </Section>
    </div>
  );
}

interface StepView {
  id: string;
  type?: string;
  attempts: Attempt[];
}

/** The rule's steps in order, each with its attempts; attempts of steps the version does not name (an unreadable version) come after. */
function stepsOf(definition: Record<string, unknown> | undefined, attempts: Attempt[]): StepView[] {
  const declared = Array.isArray(definition?.steps) ? (definition.steps as { id?: unknown; type?: unknown }[]) : [];
  const steps: StepView[] = declared.map((step) => ({
    id: String(step.id),
    type: typeof step.type === 'string' ? step.type : undefined,
    attempts: attempts.filter((attempt) => attempt.stepId === String(step.id)),
  }));
  for (const attempt of attempts) {
    if (!steps.some((step) => step.id === attempt.stepId))
      steps.push({ id: attempt.stepId, attempts: attempts.filter((a) => a.stepId === attempt.stepId) });
  }
  return steps;
}

function StepEntry({ step, run }: { step: StepView; run: Run }) {
  const last = step.attempts[step.attempts.length - 1];
  const state = !last
    ? 'not_reached'
    : last.status === 'succeeded'
      ? 'succeeded'
      : run.status === 'retrying' && last === run.attempts[run.attempts.length - 1]
        ? 'retrying'
        : 'failed';
  return (
    <li class={`timeline-step step-${state}`}>
      <div class="step-head">
        <h3>
          {step.id} {step.type ? <span class="muted">{step.type}</span> : null}
        </h3>
        {last ? <StatusBadge status={state} /> : <span class="muted">not reached</span>}
        <span class="muted">
          {step.attempts.length} attempt{step.attempts.length === 1 ? '' : 's'}
        </span>
      </div>
      {step.attempts.length > 0 ? (
        <ol class="attempts">
          {step.attempts.map((attempt, index) => (
            <AttemptEntry
              key={attempt.attempt}
              attempt={attempt}
              next={step.attempts[index + 1]}
              run={run}
              isLast={attempt === run.attempts[run.attempts.length - 1]}
            />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

function AttemptEntry({ attempt, next, run, isLast }: { attempt: Attempt; next?: Attempt; run: Run; isLast: boolean }) {
  const request = attempt.request as { method?: string; url?: string; headerNames?: string[]; bodyBytes?: number } | null;
  const output = attempt.output as { status?: number; headers?: Record<string, string>; body?: unknown } | null;
  const finishedAt = new Date(attempt.startedAt).getTime() + attempt.durationMs;
  return (
    <li class={`attempt attempt-${attempt.status}`}>
      <div class="attempt-head">
        <strong>Attempt {attempt.attempt}</strong> <StatusBadge status={attempt.status} />
        <span>{formatTime(attempt.startedAt)}</span>
        <span class="muted">took {formatDuration(attempt.durationMs)}</span>
        {attempt.responseStatus !== null ? (
          <span class={`http-status http-${String(attempt.responseStatus)[0]}xx`}>HTTP {attempt.responseStatus}</span>
        ) : null}
      </div>
      {request?.url ? (
        <p class="request-line">
          <code>
            {request.method ?? 'POST'} {request.url}
          </code>
          {request.bodyBytes !== undefined ? <span class="muted"> · {request.bodyBytes} bytes</span> : null}
          {request.headerNames?.length ? <span class="muted"> · headers: {request.headerNames.join(', ')}</span> : null}
        </p>
      ) : null}
      {attempt.error ? <p class="attempt-error">{attempt.error}</p> : null}
      {output && output.body !== undefined ? (
        <details class="response">
          <summary>Response body{output.status ? ` (${output.status})` : ''}</summary>
          {typeof output.body === 'string' ? (
            <CodeBlock label="Response body">{output.body || '(empty)'}</CodeBlock>
          ) : (
            <JsonTree value={output.body} />
          )}
        </details>
      ) : output !== null && output !== undefined && attempt.status === 'succeeded' ? (
        <details class="response">
          <summary>Output</summary>
          <JsonTree value={output} />
        </details>
      ) : null}
      {next ? (
        <p class="retry-note muted">Retried {formatDuration(new Date(next.startedAt).getTime() - finishedAt)} later.</p>
      ) : isLast && run.status === 'retrying' && run.nextAttemptAt ? (
        <p class="retry-note">
          Next retry <Time at={run.nextAttemptAt} /> ({formatTime(run.nextAttemptAt)}).
        </p>
      ) : null}
    </li>
  );
}

/** Replay (a pending dead letter, or the event through this rule) and discard; disabled with the reason for a read key. */
function RunActions({
  session,
  run,
  deadLetter,
  onChanged,
}: {
  session: Session;
  run: Run;
  deadLetter: Schemas['DeadLetterDetailView'] | undefined;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const [discarding, setDiscarding] = useState(false);
  const pending = run.deadLetter?.status === 'pending';
  const finished = !UNFINISHED.includes(run.status);

  const replay = async (force = false): Promise<void> => {
    setBusy(true);
    setProblem(undefined);
    try {
      if (pending && run.deadLetter && !force) {
        const answer = await session.api.post('/dead-letters/{id}/replay', { path: { id: run.deadLetter.id } });
        navigate(href(`/runs/${answer.runId}`));
      } else {
        const answer = await session.api.post('/events/{id}/replay', { path: { id: run.eventId }, body: { ruleId: run.ruleId, force } });
        const made = answer.runs[0];
        if (made) navigate(href(`/runs/${made.runId}`));
        else
          setProblem(
            new ApiProblem(
              409,
              'not_replayed',
              answer.skipped.map((skip) => skip.message).join('; ') || 'The rule did not match the event.',
            ),
          );
      }
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel actions-panel" aria-label="Actions">
      {run.deadLetter ? (
        <div class="dead-letter-box">
          <p>
            <strong>Dead letter</strong> <CauseBadge cause={run.deadLetter.cause} /> <StatusBadge status={run.deadLetter.status} />{' '}
            <span class="muted">
              {SIDE_LABEL[causeInfo(run.deadLetter.cause).side]}: {causeInfo(run.deadLetter.cause).hint}
            </span>
          </p>
          {deadLetter?.replayRunId ? (
            <p>
              Replayed by <a href={href(`/runs/${deadLetter.replayRunId}`)}>run {shortId(deadLetter.replayRunId)}</a>
              {deadLetter.resolvedAt ? (
                <>
                  , resolved <Time at={deadLetter.resolvedAt} />
                </>
              ) : null}
              .
            </p>
          ) : null}
          {deadLetter?.discardReason ? <p>Discarded: {deadLetter.discardReason}</p> : null}
        </div>
      ) : null}
      <div class="action-row">
        <button
          type="button"
          class="button button-primary"
          disabled={!session.canWrite || busy || !finished}
          title={!session.canWrite ? READ_ONLY_REASON : !finished ? 'The run has not finished' : undefined}
          onClick={() => void replay()}
        >
          {pending ? 'Replay dead letter' : 'Replay event through this rule'}
        </button>
        {pending ? (
          <button
            type="button"
            class="button button-danger"
            disabled={!session.canWrite || busy}
            title={!session.canWrite ? READ_ONLY_REASON : undefined}
            onClick={() => setDiscarding(true)}
          >
            Discard…
          </button>
        ) : null}
        {!session.canWrite ? <span class="read-only-note">{READ_ONLY_REASON}</span> : null}
      </div>
      <p class="muted small">
        A replay is a new run of the same event with the rule’s current version; steps start from the first (replaying from a chosen step is
        not offered by the admin API yet).
      </p>
      {problem ? (
        <div>
          <ErrorState error={problem} title="Not replayed" />
          {problem.code === 'runs_in_flight' ? (
            <button type="button" class="button" onClick={() => void replay(true)} disabled={busy}>
              Replay anyway (the receiver may get it twice)
            </button>
          ) : null}
        </div>
      ) : null}
      {discarding && run.deadLetter ? (
        <DiscardDialog session={session} ids={[run.deadLetter.id]} onClose={() => setDiscarding(false)} onDiscarded={onChanged} />
      ) : null}
    </section>
  );
}
