import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Schemas } from '../api/client';
import { formatDuration, formatTime, shortId } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { causeInfo, SIDE_LABEL } from '../lib/vocabulary';
import { toYaml } from '../lib/yaml-text';
import { href } from '../router';
import { READ_ONLY_REASON, type Session } from '../session';
import { CauseBadge, StatusBadge } from '../ui/badges';
import { CodeBlock, CopyButton, Facts, Section, Time } from '../ui/bits';
import { JsonTree } from '../ui/json-tree';
import { ErrorState, Loading, Notice } from '../ui/states';
import { DiscardDialog } from './dead-letter-actions';
import { EventContent } from './event-content';
import { ReplayRunDialog, replayFromBlocker } from './run-replay';

type Run = Schemas['RunDetailView'];
type Attempt = Schemas['StepAttemptView'];
const UNFINISHED = ['pending', 'running', 'retrying'];

/** One run: what caused it, the rule version it ran, every attempt of every step, and what an operator can do about it. */
export function RunDetailView({ session, id }: { session: Session; id: string }) {
  const { api } = session;
  const [unfinished, setUnfinished] = useState(true);
  /** The replay being confirmed: of the whole run (`fromStep` undefined) or from a step. */
  const [replaying, setReplaying] = useState<{ fromStep?: string }>();
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
  /** The replay runs the rule's current version: the console judges a replay from a step only when that is the version shown. */
  const runsCurrentVersion = version.data?.current === true;

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
                  {data.fromStep ? (
                    <>
                      , from step <code>{data.fromStep}</code>
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

      <RunActions session={session} run={data} deadLetter={deadLetter.data} onChanged={run.reload} onReplay={() => setReplaying({})} />
      {replaying ? (
        <ReplayRunDialog
          session={session}
          run={data}
          steps={steps}
          runsCurrentVersion={runsCurrentVersion}
          fromStep={replaying.fromStep}
          onClose={() => setReplaying(undefined)}
        />
      ) : null}

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
            {steps.map((step, index) => (
              <StepEntry
                key={step.id}
                step={step}
                run={data}
                replayFrom={
                  index === 0
                    ? undefined // the same as replaying the whole run
                    : {
                        blocker: !session.canWrite
                          ? READ_ONLY_REASON
                          : UNFINISHED.includes(data.status)
                            ? 'The run has not finished'
                            : replayFromBlocker(data, steps, index, runsCurrentVersion),
                        start: () => setReplaying({ fromStep: step.id }),
                      }
                }
              />
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
  continueOnError?: boolean;
  attempts: Attempt[];
}

/** The rule's steps in order, each with its attempts; attempts of steps the version does not name (an unreadable version) come after. */
function stepsOf(definition: Record<string, unknown> | undefined, attempts: Attempt[]): StepView[] {
  const declared = Array.isArray(definition?.steps)
    ? (definition.steps as { id?: unknown; type?: unknown; continueOnError?: unknown }[])
    : [];
  const steps: StepView[] = declared.map((step) => ({
    id: String(step.id),
    type: typeof step.type === 'string' ? step.type : undefined,
    continueOnError: step.continueOnError === true,
    attempts: attempts.filter((attempt) => attempt.stepId === String(step.id)),
  }));
  for (const attempt of attempts) {
    if (!steps.some((step) => step.id === attempt.stepId))
      steps.push({ id: attempt.stepId, attempts: attempts.filter((a) => a.stepId === attempt.stepId) });
  }
  return steps;
}

/** "Replay from this step": `blocker` says why it is disabled, if it is. */
interface ReplayFrom {
  blocker: string | undefined;
  start: () => void;
}

function StepEntry({ step, run, replayFrom }: { step: StepView; run: Run; replayFrom?: ReplayFrom }) {
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
        {replayFrom ? (
          <button
            type="button"
            class="button button-small step-replay"
            disabled={replayFrom.blocker !== undefined}
            title={replayFrom.blocker}
            aria-label={`Replay from this step (${step.id})`}
            onClick={replayFrom.start}
          >
            Replay from this step
          </button>
        ) : null}
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
    <li class={`attempt attempt-${attempt.status}${attempt.carriedFrom ? ' attempt-carried' : ''}`}>
      <div class="attempt-head">
        <strong>Attempt {attempt.attempt}</strong> <StatusBadge status={attempt.status} />
        {attempt.carriedFrom ? <span class="badge badge-info">carried over</span> : null}
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
      {attempt.carriedFrom ? (
        <p class="carried-note muted">
          Carried over from <a href={href(`/runs/${attempt.carriedFrom}`)}>run {shortId(attempt.carriedFrom)}</a>: made there, not sent
          again by this run.
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

/**
 * Replay the run (a new run with the rule's current version, which takes over its pending dead
 * letter) and discard the dead letter; disabled with the reason for a read key.
 */
function RunActions({
  session,
  run,
  deadLetter,
  onChanged,
  onReplay,
}: {
  session: Session;
  run: Run;
  deadLetter: Schemas['DeadLetterDetailView'] | undefined;
  onChanged: () => void;
  onReplay: () => void;
}) {
  const [discarding, setDiscarding] = useState(false);
  const pending = run.deadLetter?.status === 'pending';
  const finished = !UNFINISHED.includes(run.status);

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
          disabled={!session.canWrite || !finished}
          title={!session.canWrite ? READ_ONLY_REASON : !finished ? 'The run has not finished' : undefined}
          onClick={onReplay}
        >
          Replay run…
        </button>
        {pending ? (
          <button
            type="button"
            class="button button-danger"
            disabled={!session.canWrite}
            title={!session.canWrite ? READ_ONLY_REASON : undefined}
            onClick={() => setDiscarding(true)}
          >
            Discard…
          </button>
        ) : null}
        {!session.canWrite ? <span class="read-only-note">{READ_ONLY_REASON}</span> : null}
      </div>
      <p class="muted small">
        A replay is a new run of the same event with the rule’s current version. “Replay from this step” on a step of the timeline carries
        the steps before it over from this run (nothing is sent again for them) and runs that step and the ones after it.
      </p>
      {discarding && run.deadLetter ? (
        <DiscardDialog session={session} ids={[run.deadLetter.id]} onClose={() => setDiscarding(false)} onDiscarded={onChanged} />
      ) : null}
    </section>
  );
}
