import { StepExecutor, StepOutcome } from '../step-executor';

/**
 * The `transform` step. The engine evaluates the step's JSONata `expression` while rendering it
 * (an evaluation error fails the run with cause `evaluation`, never retried), so the executor
 * gets `{ value }`, the result, and only makes it the step's output.
 */
export class TransformStepExecutor implements StepExecutor {
  readonly type = 'transform';

  execute(input: unknown): Promise<StepOutcome> {
    // JSONata gives undefined for "no match"; the stored output is null either way.
    const value = (input as { value?: unknown } | null)?.value ?? null;
    return Promise.resolve({ status: 'succeeded', output: value, request: null, responseStatus: null });
  }
}
