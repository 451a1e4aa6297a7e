import { StepExecutor } from '../step-executor';
import { TransformStepExecutor } from './transform.step';

describe('TransformStepExecutor', () => {
  const executor: StepExecutor = new TransformStepExecutor();
  const invocation = { runId: 'run-1', stepId: 'summary', attempt: 1 };

  it.each([
    ['an object', { order: 'ord_1', cents: 1250 }],
    ['an array', [1, 2, 3]],
    ['a string', 'ord_1'],
    ['a number', 0],
    ['false', false],
  ])('succeeds with the evaluated expression, %s, as its output', async (_case, value) => {
    await expect(executor.execute({ value }, invocation)).resolves.toEqual({
      status: 'succeeded',
      output: value,
      request: null,
      responseStatus: null,
    });
  });

  it('gives null when the expression matched nothing', async () => {
    await expect(executor.execute({ value: undefined }, invocation)).resolves.toMatchObject({ status: 'succeeded', output: null });
  });
});
