import { CatalogRepository, ReplaysRepository, RunReplay, RunRow, RunsQueryRepository, RunsRepository } from '@hookflow/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ApiError } from '../errors/api-error';
import { inFlightConflict } from '../events/event-replay.service';
import { CarriedStep, plannedStepsOf, planReplayFromStep, stepIdsOf } from './replay-plan';
import { ReplayRunDto } from './replay-run.dto';
import { RunLauncher } from './run-launcher.service';
import { RunReplayView } from './run.views';

/**
 * Replays one run, whole or from a step, with the rule's current version (what an operator who
 * fixed the rule expects, and what every other replay does). The rule's `when` is not evaluated
 * again: the run matched once, and an operator replaying it asks for it to run. The new run is
 * queued on the replays queue before this answers. `runId`: a UUID (the controller checks).
 */
@Injectable()
export class RunReplayService {
  constructor(
    private readonly queries: RunsQueryRepository,
    private readonly runs: RunsRepository,
    private readonly catalog: CatalogRepository,
    private readonly replays: ReplaysRepository,
    private readonly launcher: RunLauncher,
  ) {}

  async replay(runId: string, request: ReplayRunDto): Promise<RunReplayView> {
    const source = await this.queries.findById(runId);
    if (!source) throw ApiError.notFound('run', runId);
    const rule = await this.replays.ruleState(source.ruleId);
    if (!rule) throw ruleMissing(source.ruleId, runId);
    const fromStep = request.fromStep ?? null;
    const carried = fromStep === null ? [] : await this.carriedSteps(source, rule.currentVersion, fromStep);
    const outcome = await this.replays.replayRun({
      sourceRunId: runId,
      runId: uuidv7(),
      ruleVersion: rule.currentVersion,
      fromStep,
      carriedAttemptIds: carried.map((step) => step.attemptId),
      force: request.force ?? false,
    });
    if (outcome.outcome !== 'replayed') throw refusal(source, outcome, carried);
    await this.launcher.launch([outcome.run.runId]);
    return { ...outcome.run, carriedSteps: carried.map((step) => step.stepId) };
  }

  /** The attempts to carry over, or the 4xx that says why this run cannot be replayed from that step. */
  private async carriedSteps(source: RunRow, version: number, fromStep: string): Promise<CarriedStep[]> {
    const [current, replayed, attempts] = await Promise.all([
      this.catalog.ruleVersion(source.ruleId, version),
      this.catalog.ruleVersion(source.ruleId, source.ruleVersion),
      this.runs.attempts(source.id),
    ]);
    if (!current) throw ruleMissing(source.ruleId, source.id);
    const plan = planReplayFromStep({
      fromStep,
      steps: plannedStepsOf(current.definition),
      replayedSteps: replayed ? stepIdsOf(replayed.definition) : [],
      replayedStatus: source.status,
      attempts,
    });
    if (plan.outcome === 'unknown_step') {
      throw new ApiError(422, 'unknown_step', `rule "${source.ruleId}" version ${version} (the current one) has no step "${fromStep}"`, [
        { path: 'fromStep', message: `steps: ${stepIdsOf(current.definition).join(', ')}` },
      ]);
    }
    if (plan.outcome === 'earlier_step_incomplete') {
      throw new ApiError(
        409,
        'earlier_step_incomplete',
        `run ${source.id} cannot be replayed from step "${fromStep}": ${plan.why}, so there is nothing to carry over for it; ` +
          'replay from that step or an earlier one',
        [{ path: 'fromStep', message: plan.why }],
      );
    }
    return plan.carried;
  }
}

function ruleMissing(ruleId: string, runId: string): ApiError {
  return ApiError.conflict('rule_missing', `rule "${ruleId}" no longer exists, so run ${runId} cannot be replayed`);
}

function refusal(source: RunRow, outcome: Exclude<RunReplay, { outcome: 'replayed' }>, carried: CarriedStep[]): ApiError {
  switch (outcome.outcome) {
    case 'not_found':
      return ApiError.notFound('run', source.id);
    case 'in_flight':
      return inFlightConflict(source.eventId, outcome.runs);
    case 'rule_missing':
      return ruleMissing(outcome.ruleId, source.id);
    case 'rule_disabled':
      return ApiError.conflict('rule_disabled', `rule "${outcome.ruleId}" is disabled; resume it before replaying run ${source.id}`);
    case 'rule_changed':
      return ApiError.conflict(
        'rule_changed',
        `rule "${outcome.ruleId}" changed (now version ${outcome.currentVersion}) while the replay was planned; try again`,
      );
    case 'source_run_changed':
      return sourceRunChanged(source.id, carried, outcome.missingAttemptIds);
  }
}

/** The attempts planned to be carried over were gone by the time of the insert (retention pruned them, say). */
function sourceRunChanged(runId: string, carried: CarriedStep[], missingAttemptIds: string[]): ApiError {
  const missing = new Set(missingAttemptIds);
  const steps = carried.filter((step) => missing.has(step.attemptId)).map((step) => step.stepId);
  return ApiError.conflict(
    'source_run_changed',
    `run ${runId} changed while the replay was planned: the attempts of step(s) ${steps.join(', ')} it would carry over are gone ` +
      '(retention may have pruned them); nothing was replayed',
  );
}
