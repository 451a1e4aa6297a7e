import { useState } from 'preact/hooks';
import { ApiProblem, type Schemas } from '../api/client';
import { shortId } from '../lib/format';
import { asProblem } from '../lib/use-async';
import { href, navigate } from '../router';
import type { Session } from '../session';
import { Dialog } from '../ui/dialog';
import { ErrorState } from '../ui/states';

type Run = Schemas['RunDetailView'];

/** A step of the run's rule version as the timeline lists it. */
export interface ReplayableStep {
  id: string;
  /** The step's `continueOnError` in the run's rule version; undefined when that version could not be read. */
  continueOnError?: boolean;
  attempts: Schemas['StepAttemptView'][];
}

/** How a step before the start of a replay is carried over, or why it cannot be. */
type CarriedAs = { as: 'succeeded' | 'failed' | 'skipped' } | { as: 'blocked'; why: string };

/**
 * The API's rule (apps/admin/src/runs/replay-plan.ts) for one step before the start: a step that
 * succeeded is carried over; one the run went past is carried over failed when it continues on
 * error, or stays skipped when it made no attempt (its `when`); anything else blocks the replay.
 */
function carriedAs(run: Run, steps: ReplayableStep[], position: number): CarriedAs {
  const step = steps[position]!;
  if (step.attempts.some((attempt) => attempt.status === 'succeeded')) return { as: 'succeeded' };
  const wentPast = run.status === 'succeeded' || steps.slice(position + 1).some((later) => later.attempts.length > 0);
  if (!wentPast)
    return {
      as: 'blocked',
      why: step.attempts.length > 0 ? `Step ${step.id} failed in this run` : `This run never reached step ${step.id}`,
    };
  if (step.attempts.length === 0) return { as: 'skipped' };
  if (step.continueOnError) return { as: 'failed' };
  return { as: 'blocked', why: `Step ${step.id} failed in this run and does not continue on error` };
}

/**
 * Why this run cannot be replayed from `steps[index]`, when the console knows it for sure; else
 * undefined, and the API says (409 `earlier_step_incomplete`, 422 `unknown_step`) in the dialog.
 * The API plans the replay against the rule's current version, so the console judges only when
 * the run ran that version (`runsCurrentVersion`: then `steps` are the current version's), with
 * the API's rule. A run of an older version may still be replayable from a step (the current
 * version dropped the step that failed, say) or not (it added one before it): the API knows.
 */
export function replayFromBlocker(run: Run, steps: ReplayableStep[], index: number, runsCurrentVersion: boolean): string | undefined {
  if (!runsCurrentVersion) return undefined;
  for (const position of steps.slice(0, index).keys()) {
    const carried = carriedAs(run, steps, position);
    if (carried.as === 'blocked') return carried.why;
  }
  return undefined;
}

/**
 * Confirms a replay of a run, whole or from a step, then makes it and opens the new run (its page
 * follows it until it finishes). While a run of the event for the rule is in flight the API
 * answers 409 `runs_in_flight`; the operator may then replay anyway.
 */
export function ReplayRunDialog({
  session,
  run,
  steps,
  runsCurrentVersion,
  fromStep,
  onClose,
}: {
  session: Session;
  run: Run;
  steps: ReplayableStep[];
  /** Whether the run ran the rule's current version, the one the replay runs (see {@link replayFromBlocker}). */
  runsCurrentVersion: boolean;
  fromStep?: string;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const start = fromStep === undefined ? 0 : steps.findIndex((step) => step.id === fromStep);
  const before = steps.slice(0, Math.max(start, 0)).map((step, position) => ({ step, carried: carriedAs(run, steps, position) }));
  const carried = before.filter(({ carried }) => carried.as === 'succeeded' || carried.as === 'failed');

  const replay = async (force: boolean): Promise<void> => {
    setBusy(true);
    setProblem(undefined);
    try {
      const answer = await session.api.post('/runs/{id}/replay', { path: { id: run.id }, body: { fromStep, force } });
      onClose();
      navigate(href(`/runs/${answer.runId}`));
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  };

  const title = fromStep === undefined ? 'Replay this run' : `Replay from step ${fromStep}`;
  return (
    <Dialog title={title} onClose={onClose}>
      <p>
        A new run of event <code>{shortId(run.eventId)}</code> with the current version of rule <strong>{run.ruleId}</strong>, on the replay
        queue. It takes over the run’s pending dead letter, which is resolved when it succeeds.
      </p>
      {fromStep === undefined ? (
        <p class="muted">Every step runs again, from the first.</p>
      ) : (
        <ul class="replay-plan">
          {!runsCurrentVersion ? (
            <li>
              The rule has changed since this run: the replay runs its current version, and the server checks that each step before{' '}
              <code>{fromStep}</code> in it can be carried over from this run.
            </li>
          ) : null}
          {carried.length > 0 ? (
            <li>
              Carried over from this run, not sent again:{' '}
              <strong>
                {carried.map(({ step, carried }) => (carried.as === 'failed' ? `${step.id} (failed, continued past)` : step.id)).join(', ')}
              </strong>{' '}
              (later steps see their outputs, and a failed one as failed).
            </li>
          ) : null}
          <li>
            Sent again:{' '}
            <strong>
              {steps
                .slice(Math.max(start, 0))
                .map((step) => step.id)
                .join(', ') || fromStep}
            </strong>
            , with new Idempotency-Keys.
          </li>
        </ul>
      )}
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
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="button button-primary" disabled={busy} onClick={() => void replay(false)} autoFocus>
          {busy ? 'Replaying…' : 'Replay'}
        </button>
      </div>
    </Dialog>
  );
}
