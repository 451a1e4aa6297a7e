import type { DeadLetterCause } from '@hookflow/persistence';

/** What an executor knows about the try it is making. */
export interface StepInvocation {
  runId: string;
  stepId: string;
  /** 1 for the first try of this step. */
  attempt: number;
  timeoutMs?: number;
}

export type StepOutcome =
  | {
      status: 'succeeded';
      output: unknown;
      request: Record<string, unknown> | null;
      responseStatus: number | null;
    }
  | {
      status: 'failed';
      error: string;
      /** Whether another try could succeed (a 503) or cannot (a 404, a bad URL). */
      retryable: boolean;
      cause: DeadLetterCause;
      /** The destination's own wish (Retry-After), honoured when longer than the backoff. */
      retryAfterMs?: number;
      output: unknown;
      request: Record<string, unknown> | null;
      responseStatus: number | null;
    }
  | {
      /**
       * Not tried: the destination is resting (its circuit is open) and nothing was sent. The run
       * waits `delayMs` and tries again; this is not an attempt and spends none of the retry budget.
       */
      status: 'deferred';
      reason: string;
      delayMs: number;
    };

/** One step type. `input` is the step's definition with every template already rendered. */
export interface StepExecutor {
  readonly type: string;
  execute(input: unknown, invocation: StepInvocation): Promise<StepOutcome>;
}

export type StepFailure = Extract<StepOutcome, { status: 'failed' }>;
export type StepDeferral = Extract<StepOutcome, { status: 'deferred' }>;
/** An outcome of a try that was made: what a step attempt records. */
export type StepResult = Exclude<StepOutcome, StepDeferral>;

/** A failed outcome with no output (the destination gave nothing worth keeping). */
export function stepFailure(
  error: string,
  retryable: boolean,
  cause: DeadLetterCause,
  request: Record<string, unknown> | null,
): StepFailure {
  return { status: 'failed', error, retryable, cause, output: null, request, responseStatus: null };
}

/** An error's message with its code (ECONNREFUSED, a SQLSTATE, …) when the message lacks it. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
