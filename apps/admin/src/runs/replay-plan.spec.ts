import { planReplayFromStep, ReplayPlanInput } from './replay-plan';

const attempt = (id: string, stepId: string, status: 'succeeded' | 'failed') => ({ id, stepId, status });
/** Steps of a version; those named in `continuing` continue on error. */
const stepsOf = (ids: string[], continuing: string[] = []) => ids.map((id) => ({ id, continueOnError: continuing.includes(id) }));

/** A three-step run whose last step failed twice. */
function failedAtLast(overrides: Partial<ReplayPlanInput> = {}): ReplayPlanInput {
  return {
    fromStep: 'c',
    steps: stepsOf(['a', 'b', 'c']),
    replayedSteps: ['a', 'b', 'c'],
    replayedStatus: 'failed',
    attempts: [attempt('1', 'a', 'succeeded'), attempt('2', 'b', 'failed'), attempt('3', 'b', 'succeeded'), attempt('4', 'c', 'failed')],
    ...overrides,
  };
}

describe('planReplayFromStep', () => {
  it('carries over the succeeded attempt of each step before the start', () => {
    expect(planReplayFromStep(failedAtLast())).toEqual({
      outcome: 'planned',
      carried: [
        { stepId: 'a', attemptId: '1' },
        { stepId: 'b', attemptId: '3' },
      ],
      skipped: [],
    });
  });

  it('carries nothing when replaying from the first step', () => {
    expect(planReplayFromStep(failedAtLast({ fromStep: 'a' }))).toEqual({ outcome: 'planned', carried: [], skipped: [] });
  });

  it('refuses a step the version does not have', () => {
    expect(planReplayFromStep(failedAtLast({ fromStep: 'z' }))).toEqual({ outcome: 'unknown_step' });
  });

  it('refuses when an earlier step failed in the replayed run', () => {
    const input = failedAtLast({ attempts: [attempt('1', 'a', 'succeeded'), attempt('2', 'b', 'failed')] });
    expect(planReplayFromStep(input)).toEqual({
      outcome: 'earlier_step_incomplete',
      stepId: 'b',
      why: 'step b failed in the replayed run',
    });
  });

  it('refuses when the replayed run never reached an earlier step', () => {
    const input = failedAtLast({ attempts: [attempt('1', 'a', 'failed')], fromStep: 'c' });
    expect(planReplayFromStep(input)).toMatchObject({ outcome: 'earlier_step_incomplete', stepId: 'a' });
    const unreached = failedAtLast({ attempts: [attempt('1', 'a', 'succeeded')] });
    expect(planReplayFromStep(unreached)).toEqual({
      outcome: 'earlier_step_incomplete',
      stepId: 'b',
      why: 'the replayed run never reached step b',
    });
  });

  it('keeps a step the replayed run skipped skipped, whether a later step ran or the run succeeded', () => {
    const skippedMiddle = failedAtLast({ attempts: [attempt('1', 'a', 'succeeded'), attempt('4', 'c', 'failed')] });
    expect(planReplayFromStep(skippedMiddle)).toEqual({ outcome: 'planned', carried: [{ stepId: 'a', attemptId: '1' }], skipped: ['b'] });
    const skippedLast = failedAtLast({ fromStep: 'c', replayedStatus: 'succeeded', attempts: [attempt('1', 'a', 'succeeded')] });
    expect(planReplayFromStep(skippedLast)).toMatchObject({ outcome: 'planned', skipped: ['b'] });
  });

  it('refuses a step that is new in the version the replay runs', () => {
    const input = failedAtLast({ steps: stepsOf(['a', 'new', 'b', 'c']), replayedStatus: 'succeeded' });
    expect(planReplayFromStep(input)).toEqual({
      outcome: 'earlier_step_incomplete',
      stepId: 'new',
      why: 'step new is not in the rule version the replayed run ran',
    });
  });

  describe('a continueOnError step that failed before the start', () => {
    /** Step b continues on error: it failed twice and the run went on to c, which failed. */
    const continuedPast = (overrides: Partial<ReplayPlanInput> = {}): ReplayPlanInput =>
      failedAtLast({
        steps: stepsOf(['a', 'b', 'c'], ['b']),
        attempts: [attempt('1', 'a', 'succeeded'), attempt('2', 'b', 'failed'), attempt('3', 'b', 'failed'), attempt('4', 'c', 'failed')],
        ...overrides,
      });

    it('carries over its final failed attempt when the run went past it', () => {
      expect(planReplayFromStep(continuedPast())).toEqual({
        outcome: 'planned',
        carried: [
          { stepId: 'a', attemptId: '1' },
          { stepId: 'b', attemptId: '3' },
        ],
        skipped: [],
      });
      const lastStep = continuedPast({
        replayedStatus: 'succeeded',
        attempts: [attempt('1', 'a', 'succeeded'), attempt('2', 'b', 'failed')],
      });
      expect(planReplayFromStep(lastStep)).toMatchObject({ outcome: 'planned', carried: [{ attemptId: '1' }, { attemptId: '2' }] });
    });

    it('refuses when the run stopped at it (it was still retrying, or gave up without continuing)', () => {
      const stopped = continuedPast({ attempts: [attempt('1', 'a', 'succeeded'), attempt('2', 'b', 'failed')] });
      expect(planReplayFromStep(stopped)).toEqual({
        outcome: 'earlier_step_incomplete',
        stepId: 'b',
        why: 'step b failed in the replayed run',
      });
    });

    it('refuses when the current version no longer continues on its error', () => {
      expect(planReplayFromStep(continuedPast({ steps: stepsOf(['a', 'b', 'c']) }))).toEqual({
        outcome: 'earlier_step_incomplete',
        stepId: 'b',
        why: 'step b failed in the replayed run, which continued past it, but the current version does not continue on its error',
      });
    });
  });
});
