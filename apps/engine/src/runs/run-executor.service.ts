import { StepDeferral, StepExecutor, StepOutcome, StepRegistry, StepResult } from '@hookflow/actions';
import { DeadLetterService } from '@hookflow/dead-letter';
import { DeadLetterCause, NewStepAttempt, RunEntity, RunsRepository, StepAttemptEntity } from '@hookflow/persistence';
import { CompiledStep, eventContext, ExpressionContext, isTruthy, retryDelayMs } from '@hookflow/rules';
import { annotateSpan, HookflowAttributes, HookflowMetrics, inSpan, markSpanFailed } from '@hookflow/telemetry';
import { Injectable, Logger } from '@nestjs/common';
import { RunAlerts } from '../alerts/run-alerts.service';
import { RuleRegistry } from '../rules/rule-registry.service';
import { eventSpanAttributes } from '../telemetry/span-attributes';
import { RunQueues } from './run-queues.service';

type StepsContext = NonNullable<ExpressionContext['steps']>;
type Failure = { stepId: string | null; cause: DeadLetterCause; error: string };
/** Whether the run goes on after a step; `unrecorded`: the last step's success, written with the run's. */
type StepVerdict = { goOn: false } | { goOn: true; unrecorded?: NewStepAttempt };
const STOP: StepVerdict = { goOn: false };
const GO_ON: StepVerdict = { goOn: true };

/** Waiting runs wake up to this fraction of their wait later, so they do not all come back at once. */
const DEFERRAL_JITTER = 0.2;

/**
 * Executes a run's steps in order. Steps that already succeeded (an earlier execution) are skipped
 * and their outputs reused; a failed step is retried through a delayed job, never by sleeping here.
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);

  constructor(
    private readonly runs: RunsRepository,
    private readonly rules: RuleRegistry,
    private readonly steps: StepRegistry,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: HookflowMetrics,
    private readonly queues: RunQueues,
    private readonly alerts: RunAlerts,
  ) {}

  async execute(runId: string, execution: number): Promise<void> {
    const claimed = await this.runs.claimRun(runId, execution);
    if (!claimed) return; // finished, or a later execution owns it: this job is stale
    const { run, event, firstClaim } = claimed;
    annotateSpan({ [HookflowAttributes.RULE_ID]: run.ruleId, [HookflowAttributes.RULE_VERSION]: run.ruleVersion });
    const rule = await this.rules.version(run.ruleId, run.ruleVersion);
    annotateSpan(event ? eventSpanAttributes(event) : { [HookflowAttributes.EVENT_ID]: run.eventId });
    if (!rule || !event) {
      return this.fail(run, {
        stepId: null,
        cause: 'config',
        error: !rule ? `rule ${run.ruleId} version ${run.ruleVersion} no longer exists` : `event ${run.eventId} no longer exists`,
      });
    }
    const context: ExpressionContext = { ...eventContext(event), steps: {}, rule: { id: rule.id, version: rule.version } };
    const history = firstClaim ? [] : await this.runs.attempts(run.id);
    const startsAt = run.fromStep === null ? 0 : rule.steps.findIndex((step) => step.id === run.fromStep);
    if (startsAt < 0) {
      const error = `rule ${run.ruleId} version ${run.ruleVersion} has no step ${run.fromStep} to replay from`;
      return this.fail(run, { stepId: null, cause: 'config', error });
    }
    let unrecorded: NewStepAttempt | undefined;
    for (const [index, step] of rule.steps.entries()) {
      if (index < startsAt) {
        carryOver(step, history, context.steps as StepsContext);
        continue;
      }
      const later = new Set(rule.steps.slice(index + 1).map((next) => next.id));
      const movedOn = history.some((attempt) => later.has(attempt.stepId));
      const verdict = await this.runStep(run, step, context, history, { movedOn, lastStep: later.size === 0 });
      if (!verdict.goOn) return;
      unrecorded = verdict.unrecorded;
    }
    await this.runs.markSucceeded(run.id, unrecorded);
    this.metrics.recordRunFinished(run.ruleId, 'succeeded');
    this.logger.log(`run ${run.id} (${run.ruleId}) succeeded`);
    await this.alerts.recovered(run, event);
  }

  /**
   * Says whether the run may go on to the next step. `movedOn`: an earlier execution already went
   * past this step (a later step has attempts), so a `continueOnError` step that failed stays failed.
   * `lastStep`: the rule's last step, whose successful attempt is written with the run's success.
   */
  private async runStep(
    run: RunEntity,
    step: CompiledStep,
    context: ExpressionContext,
    history: StepAttemptEntity[],
    { movedOn, lastStep }: { movedOn: boolean; lastStep: boolean },
  ): Promise<StepVerdict> {
    const steps = context.steps as StepsContext;
    const previous = history.filter((attempt) => attempt.stepId === step.id);
    const succeeded = previous.find((attempt) => attempt.status === 'succeeded');
    if (succeeded) {
      steps[step.id] = { status: 'succeeded', output: succeeded.output };
      return GO_ON;
    }
    const attempt = previous.length + 1;
    const last = previous[previous.length - 1];
    if (step.continueOnError && last && (movedOn || attempt > step.retry.attempts)) {
      steps[step.id] = continuedPastFailure(last);
      return GO_ON;
    }
    if (attempt > step.retry.attempts) {
      // The budget was spent but the run was not closed (the platform failed in between): close it now.
      await this.fail(run, {
        stepId: step.id,
        cause: 'system',
        error: `step ${step.id}: ${last?.error ?? 'failed'} (gave up after ${previous.length} attempt(s))`,
      });
      return STOP;
    }
    const startedAt = new Date();
    let input: unknown;
    try {
      if (step.when && !isTruthy(await step.when.evaluate(context))) {
        steps[step.id] = { status: 'skipped' };
        return GO_ON;
      }
      input = await step.input.render(context);
    } catch (error) {
      const message = `step ${step.id} could not be rendered: ${(error as Error).message}`;
      await this.runs.recordAttempt(
        attemptRow(run, step, attempt, startedAt, {
          status: 'failed',
          error: message,
          retryable: false,
          cause: 'evaluation',
          output: null,
          request: null,
          responseStatus: null,
        }),
      );
      if (step.continueOnError) return this.continuePast(run, step, steps, null, message);
      await this.fail(run, { stepId: step.id, cause: 'evaluation', error: message });
      return STOP;
    }
    const executor = this.steps.executorFor(step.type);
    if (!executor) {
      await this.fail(run, { stepId: step.id, cause: 'config', error: `no executor for step type "${step.type}"` });
      return STOP;
    }
    const outcome = await this.attempt(executor, run, step, input, attempt);
    if (outcome.status === 'deferred') {
      await this.defer(run, step, outcome);
      return STOP;
    }
    const row = attemptRow(run, step, attempt, startedAt, outcome);
    if (outcome.status === 'succeeded') {
      steps[step.id] = { status: 'succeeded', output: outcome.output };
      if (lastStep) return { goOn: true, unrecorded: row };
      await this.runs.recordAttempt(row);
      return GO_ON;
    }
    await this.runs.recordAttempt(row);
    if (outcome.retryable && attempt < step.retry.attempts) {
      const delayMs = Math.max(retryDelayMs(step.retry, attempt), outcome.retryAfterMs ?? 0);
      const error = `step ${step.id}: ${outcome.error}`;
      await this.scheduleRetry(run, delayMs, error);
      this.metrics.recordRetry(run.ruleId);
      this.logger.log(`run ${run.id} (${run.ruleId}) will retry in ${delayMs} ms: ${error}`);
      return STOP;
    }
    const why = outcome.retryable ? `gave up after ${attempt} attempt(s)` : 'not retryable';
    if (step.continueOnError) return this.continuePast(run, step, steps, outcome.output ?? null, `${outcome.error} (${why})`);
    await this.fail(run, { stepId: step.id, cause: outcome.cause, error: `step ${step.id}: ${outcome.error} (${why})` });
    return STOP;
  }

  /**
   * The step was not tried (its destination's circuit is open): the run waits, with no attempt
   * recorded and none of its budget spent. Logged when the run starts waiting, not at every wake-up.
   */
  private async defer(run: RunEntity, step: CompiledStep, deferral: StepDeferral): Promise<void> {
    const delayMs = deferral.delayMs + Math.round(Math.random() * deferral.delayMs * DEFERRAL_JITTER);
    const error = `step ${step.id}: ${deferral.reason}`;
    const alreadyWaiting = run.error === error;
    await this.scheduleRetry(run, delayMs, error);
    this.metrics.recordDeferral(run.ruleId);
    const message = `run ${run.id} (${run.ruleId}) waits ${delayMs} ms: ${error}`;
    if (alreadyWaiting) this.logger.debug(message);
    else this.logger.log(message);
  }

  /** One try of a step, in a span of its own (the parent of the step's calls) and timed by step type. */
  private attempt(executor: StepExecutor, run: RunEntity, step: CompiledStep, input: unknown, attempt: number): Promise<StepOutcome> {
    const attributes = {
      [HookflowAttributes.STEP_ID]: step.id,
      [HookflowAttributes.STEP_TYPE]: step.type,
      [HookflowAttributes.STEP_ATTEMPT]: attempt,
    };
    return inSpan('hookflow.step', { attributes }, async () => {
      const startedAt = performance.now();
      const outcome = await executor.execute(input, { runId: run.id, stepId: step.id, attempt, timeoutMs: step.timeoutMs });
      if (outcome.status === 'deferred') return outcome; // nothing was tried: neither timed nor failed
      this.metrics.recordStepAttempt(step.type, outcome.status, (performance.now() - startedAt) / 1000);
      if (outcome.status === 'failed') markSpanFailed(outcome.error);
      return outcome;
    });
  }

  /** A `continueOnError` step finally failed: later steps see it as failed and the run goes on. */
  private continuePast(run: RunEntity, step: CompiledStep, steps: StepsContext, output: unknown, error: string): StepVerdict {
    steps[step.id] = { status: 'failed', output, error };
    this.logger.warn(`run ${run.id} (${run.ruleId}) continues past failed step ${step.id}: ${error}`);
    return GO_ON;
  }

  /**
   * The platform itself kept failing on this run (its job used up its own retries): dead-letter it
   * with cause `system` so it is reviewable and replayable rather than stuck.
   */
  async giveUp(runId: string, error: unknown): Promise<void> {
    const run = await this.runs.findById(runId);
    if (!run || run.status === 'succeeded' || run.status === 'failed') return;
    await this.fail(run, {
      stepId: null,
      cause: 'system',
      error: `the engine could not execute the run: ${(error as Error).message ?? String(error)}`,
    });
  }

  /**
   * Resumes the run at this step in a new delayed job (its next execution), after a failed try or
   * while a circuit is open. The job goes to the run's own queue: a replay keeps to the replays
   * queue, its rate and concurrency, however often it retries.
   */
  private async scheduleRetry(run: RunEntity, delayMs: number, error: string): Promise<void> {
    const execution = run.executions + 1;
    await this.runs.scheduleRetry(run.id, execution, new Date(Date.now() + delayMs), error);
    await this.queues.add(run, execution, delayMs);
  }

  private async fail(run: RunEntity, failure: Failure): Promise<void> {
    await this.deadLetters.deadLetter(run, failure);
    this.metrics.recordRunFinished(run.ruleId, 'failed');
    this.logger.warn(`run ${run.id} (${run.ruleId}) dead-lettered [${failure.cause}]: ${failure.error}`);
    await this.alerts.deadLettered(run, failure);
  }
}

/**
 * A step before the one a replay starts at is never executed: later steps see the attempt carried
 * over for it (its output when it succeeded; failed, with its output and error, when it is a
 * `continueOnError` step the replayed run went past), or see it skipped (the replayed run skipped it too).
 */
function carryOver(step: CompiledStep, history: StepAttemptEntity[], steps: StepsContext): void {
  const carried = history.filter((attempt) => attempt.stepId === step.id);
  const succeeded = carried.find((attempt) => attempt.status === 'succeeded');
  const last = carried[carried.length - 1];
  if (succeeded) steps[step.id] = { status: 'succeeded', output: succeeded.output };
  else if (last) steps[step.id] = continuedPastFailure(last);
  else steps[step.id] = { status: 'skipped' };
}

/** What later steps see of a `continueOnError` step whose final attempt (recorded earlier) failed. */
function continuedPastFailure(last: StepAttemptEntity): StepsContext[string] {
  return { status: 'failed', output: last.output, error: last.error ?? 'failed' };
}

function attemptRow(run: RunEntity, step: CompiledStep, attempt: number, startedAt: Date, outcome: StepResult): NewStepAttempt {
  return {
    runId: run.id,
    stepId: step.id,
    attempt,
    status: outcome.status,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    request: outcome.request,
    responseStatus: outcome.responseStatus,
    output: outcome.output ?? null,
    error: outcome.status === 'failed' ? outcome.error : null,
  };
}
