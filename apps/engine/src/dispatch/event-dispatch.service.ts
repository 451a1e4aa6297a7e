import { EventForRules, EventsRepository, NewRun, RunsRepository } from '@hookflow/persistence';
import { RUN_JOB_OPTIONS, RUNS_QUEUE, RunJob, runJobId } from '@hookflow/queue';
import { CompiledRule, eventContext, ExpressionContext, matchRule } from '@hookflow/rules';
import { annotateSpan, HookflowMetrics } from '@hookflow/telemetry';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { RunAlerts } from '../alerts/run-alerts.service';
import { RuleRegistry } from '../rules/rule-registry.service';
import { eventSpanAttributes } from '../telemetry/span-attributes';

/** Matches a committed event against the rules and starts one run per matching rule. */
@Injectable()
export class EventDispatchService {
  private readonly logger = new Logger(EventDispatchService.name);

  constructor(
    private readonly events: EventsRepository,
    private readonly runs: RunsRepository,
    private readonly rules: RuleRegistry,
    private readonly metrics: HookflowMetrics,
    @InjectQueue(RUNS_QUEUE) private readonly runsQueue: Queue<RunJob>,
    private readonly alerts: RunAlerts,
  ) {}

  /**
   * Safe to repeat: matching happens once (the event leaves `received` in the same transaction
   * that creates its runs), and queueing pending runs is idempotent by job id.
   */
  async dispatch(eventId: string): Promise<void> {
    const event = await this.events.findForRules(eventId);
    if (!event) {
      this.logger.warn(`event ${eventId} is not in the database; nothing to dispatch`);
      return;
    }
    annotateSpan(eventSpanAttributes(event));
    const runs = event.status === 'received' ? await this.matchRules(event) : [];
    const pending = await this.runs.dispatchEvent(eventId, runs);
    // A `when` that failed to evaluate made its run failed (and dead-lettered) on the spot.
    for (const run of runs) {
      if (!run.evaluationError) continue;
      this.metrics.recordRunFinished(run.ruleId, 'failed');
      await this.alerts.deadLettered({ ...run, eventId }, { stepId: null, cause: 'evaluation', error: run.evaluationError }, event);
    }
    if (pending.length > 0) {
      await this.runsQueue.addBulk(
        pending.map((runId) => ({ name: 'run', data: { runId, execution: 1 }, opts: { ...RUN_JOB_OPTIONS, jobId: runJobId(runId, 1) } })),
      );
    }
  }

  private async matchRules(event: EventForRules): Promise<NewRun[]> {
    const context = eventContext(event);
    const matched = await Promise.all(this.rules.rulesFor(event.sourceId).map((rule) => this.match(rule, event.type, context)));
    return matched.filter((run): run is NewRun => run !== undefined);
  }

  /** A rule whose `when` fails to evaluate still gets a run: a failed one, dead-lettered with the error. */
  private async match(rule: CompiledRule, eventType: string | null, context: ExpressionContext): Promise<NewRun | undefined> {
    const match = await matchRule(rule, eventType, context);
    if (match.outcome === 'skipped') return undefined;
    const run: NewRun = { id: uuidv7(), ruleId: rule.id, ruleVersion: rule.version };
    return match.outcome === 'error' ? { ...run, evaluationError: match.error } : run;
  }
}
