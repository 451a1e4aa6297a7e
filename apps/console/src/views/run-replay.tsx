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
  attempts: Schemas['StepAttemptView'][];
}

/**
 * Why this run cannot be replayed from `steps[index]`, as the API would answer (409
 * `earlier_step_incomplete`): a step before it failed or was never reached. A step with no attempt
 * that the run got past was skipped (its `when`), which is fine. Undefined when it can be.
 */
export function replayFromBlocker(run: Run, steps: ReplayableStep[], index: number): string | undefined {
  for (const [position, step] of steps.slice(0, index).entries()) {
    if (step.attempts.some((attempt) => attempt.status === 'succeeded')) continue;
    const wentPast = run.status === 'succeeded' || steps.slice(position + 1).some((later) => later.attempts.length > 0);
    if (step.attempts.length === 0 && wentPast) continue;
    return step.attempts.length > 0 ? `Step ${step.id} failed in this run` : `This run never reached step ${step.id}`;
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
  fromStep,
  onClose,
}: {
  session: Session;
  run: Run;
  steps: ReplayableStep[];
  fromStep?: string;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const start = fromStep === undefined ? 0 : steps.findIndex((step) => step.id === fromStep);
  const carried = steps.slice(0, Math.max(start, 0)).filter((step) => step.attempts.some((attempt) => attempt.status === 'succeeded'));

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
          {carried.length > 0 ? (
            <li>
              Carried over from this run, not sent again: <strong>{carried.map((step) => step.id).join(', ')}</strong> (their outputs feed
              the later steps).
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
