import { RunStatus, StepAttemptStatus } from '@hookflow/persistence';

/** What a replay from a step is planned from: the rule version it will run and the run it replays. */
export interface ReplayPlanInput {
  fromStep: string;
  /** The step ids of the rule version the replay runs (the current one), in order. */
  steps: string[];
  /** The step ids of the version the replayed run ran, in order. */
  replayedSteps: string[];
  replayedStatus: RunStatus;
  /** The replayed run's attempts. */
  attempts: { id: string; stepId: string; status: StepAttemptStatus }[];
}

/** One step before the start, carried over by copying the attempt that succeeded. */
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
 * replay runs) must have succeeded in the replayed run, or have been skipped by it (its `when` was
 * false: it has no attempt, yet the run got past it); those stay skipped. Anything else (a step
 * that failed, was never reached, or is new in this version) would leave a hole the later steps
 * cannot fill, so the plan is refused naming the first such step.
 */
export function planReplayFromStep(input: ReplayPlanInput): ReplayPlan {
  const start = input.steps.indexOf(input.fromStep);
  if (start < 0) return { outcome: 'unknown_step' };
  const carried: CarriedStep[] = [];
  const skipped: string[] = [];
  for (const stepId of input.steps.slice(0, start)) {
    const attempts = input.attempts.filter((attempt) => attempt.stepId === stepId);
    const succeeded = attempts.find((attempt) => attempt.status === 'succeeded');
    if (succeeded) carried.push({ stepId, attemptId: succeeded.id });
    else if (attempts.length === 0 && wentPast(input, stepId)) skipped.push(stepId);
    else return { outcome: 'earlier_step_incomplete', stepId, why: whyIncomplete(input, stepId, attempts.length) };
  }
  return { outcome: 'planned', carried, skipped };
}

/** Whether the replayed run went past a step it made no attempt of: it skipped the step. */
function wentPast(input: ReplayPlanInput, stepId: string): boolean {
  const position = input.replayedSteps.indexOf(stepId);
  if (position < 0) return false; // not in that version: it never ran
  if (input.replayedStatus === 'succeeded') return true;
  const later = new Set(input.replayedSteps.slice(position + 1));
  return input.attempts.some((attempt) => later.has(attempt.stepId));
}

function whyIncomplete(input: ReplayPlanInput, stepId: string, attempts: number): string {
  if (attempts > 0) return `step ${stepId} failed in the replayed run`;
  if (!input.replayedSteps.includes(stepId)) return `step ${stepId} is not in the rule version the replayed run ran`;
  return `the replayed run never reached step ${stepId}`;
}

/** The step ids of a stored rule definition, in order. */
export function stepIdsOf(definition: Record<string, unknown>): string[] {
  const steps = Array.isArray(definition.steps) ? (definition.steps as { id?: unknown }[]) : [];
  return steps.map((step) => String(step.id));
}
