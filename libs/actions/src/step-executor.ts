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
    };

/** One step type. `input` is the step's definition with every template already rendered. */
export interface StepExecutor {
  readonly type: string;
  execute(input: unknown, invocation: StepInvocation): Promise<StepOutcome>;
}
