import { RunStatus, StepAttemptStatus } from '@hookflow/persistence';

/** A step of a rule version as the plan needs it. */
export interface PlannedStep {
  id: string;
  /** Whether the run goes on when this step finally fails (`continueOnError`). */
  continueOnError: boolean;
}

/** What a replay from a step is planned from: the rule version it will run and the run it replays. */
export interface ReplayPlanInput {
  fromStep: string;
  /** The steps of the rule version the replay runs (the current one), in order. */
  steps: PlannedStep[];
  /** The step ids of the version the replayed run ran, in order. */
  replayedSteps: string[];
  replayedStatus: RunStatus;
  /** The replayed run's attempts, in the order they happened. */
  attempts: { id: string; stepId: string; status: StepAttemptStatus }[];
}

/**
 * One step before the start, carried over by copying one attempt: the one that succeeded, or the
 * final failed attempt of a `continueOnError` step the replayed run went past.
 */
export interface CarriedStep {
  stepId: string;
  attemptId: string;
}

export type ReplayPlan =
  | { outcome: 'planned'; carried: CarriedStep[]; skipped: string[] }
  | { outcome: 'unknown_step' }
  | { outcome: 'earlier_step_incomplete'; stepId: string; why: string };

/**
 * Decides what a replay from `fromStep` carries over. Each step before it (in the version the
 * replay runs) must have been settled by the replayed run in a way later steps can build on:
 * - it succeeded: its succeeded attempt is carried over;
 * - it failed, the run went past it (a `continueOnError` step), and it still continues on error in
 *   the version the replay runs: its final failed attempt is carried over, and later steps see it
 *   failed, as they did;
 * - it has no attempt, yet the run went past it (its `when` was false): it stays skipped.
 * Anything else (a step that failed and stopped the run, was never reached, is new in this version,
 * or no longer continues on error) would leave a hole the later steps cannot fill, so the plan is
 * refused naming the first such step.
 */
export function planReplayFromStep(input: ReplayPlanInput): ReplayPlan {
  const start = input.steps.findIndex((step) => step.id === input.fromStep);
  if (start < 0) return { outcome: 'unknown_step' };
  const carried: CarriedStep[] = [];
  const skipped: string[] = [];
  for (const step of input.steps.slice(0, start)) {
    const attempts = input.attempts.filter((attempt) => attempt.stepId === step.id);
    const succeeded = attempts.find((attempt) => attempt.status === 'succeeded');
    const last = attempts[attempts.length - 1];
    const past = wentPast(input, step.id);
    if (succeeded) carried.push({ stepId: step.id, attemptId: succeeded.id });
    else if (past && !last) skipped.push(step.id);
    else if (past && last && step.continueOnError) carried.push({ stepId: step.id, attemptId: last.id });
    else return { outcome: 'earlier_step_incomplete', stepId: step.id, why: whyIncomplete(input, step.id, attempts.length, past) };
  }
  return { outcome: 'planned', carried, skipped };
}

/** Whether the replayed run went past a step it did not succeed at: it skipped it, or continued past its failure. */
function wentPast(input: ReplayPlanInput, stepId: string): boolean {
  const position = input.replayedSteps.indexOf(stepId);
  if (position < 0) return false; // not in that version: it never ran
  if (input.replayedStatus === 'succeeded') return true;
  const later = new Set(input.replayedSteps.slice(position + 1));
  return input.attempts.some((attempt) => later.has(attempt.stepId));
}

function whyIncomplete(input: ReplayPlanInput, stepId: string, attempts: number, past: boolean): string {
  if (attempts > 0 && past) {
    return `step ${stepId} failed in the replayed run, which continued past it, but the current version does not continue on its error`;
  }
  if (attempts > 0) return `step ${stepId} failed in the replayed run`;
  if (!input.replayedSteps.includes(stepId)) return `step ${stepId} is not in the rule version the replayed run ran`;
  return `the replayed run never reached step ${stepId}`;
}

/** The steps of a stored rule definition, in order. */
export function plannedStepsOf(definition: Record<string, unknown>): PlannedStep[] {
  const steps = Array.isArray(definition.steps) ? (definition.steps as { id?: unknown; continueOnError?: unknown }[]) : [];
  return steps.map((step) => ({ id: String(step.id), continueOnError: step.continueOnError === true }));
}

/** The step ids of a stored rule definition, in order. */
export function stepIdsOf(definition: Record<string, unknown>): string[] {
  return plannedStepsOf(definition).map((step) => step.id);
}
