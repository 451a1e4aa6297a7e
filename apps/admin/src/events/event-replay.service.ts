import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import {
  ActiveRuleVersion,
  CatalogRepository,
  EventEntity,
  EventReplay,
  EventsRepository,
  InFlightRun,
  NewReplayRun,
  ReplaysRepository,
  SourcesRepository,
} from '@hookflow/persistence';
import {
  compileEventTypeFilter,
  compileRule,
  CompiledRule,
  eventContext,
  matchRule,
  RuleDefinition,
  ruleTakesSource,
} from '@hookflow/rules';
import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { ApiError } from '../errors/api-error';
import { RunLauncher } from '../runs/run-launcher.service';
import { EventReplayView, SkippedRuleView } from './event.views';

type Verdict = { run: NewReplayRun } | { skipped: SkippedRuleView };

/**
 * Replays an event through the current rules: every enabled rule of its source (and `*`) that
 * matches it now, or one named rule, gets a new run with its current version. Matching is the
 * engine's own (`matchRule`); a `when` that fails is reported rather than made into a failed run.
 */
@Injectable()
export class EventReplayService {
  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly events: EventsRepository,
    private readonly catalog: CatalogRepository,
    private readonly replays: ReplaysRepository,
    private readonly sources: SourcesRepository,
    private readonly launcher: RunLauncher,
  ) {}

  /**
   * Refuses (409 `runs_in_flight`) while a run of the event for a rule it would replay has not
   * finished, since both could deliver it; `force` replays anyway.
   */
  async replay(eventId: string, ruleId?: string, force = false): Promise<EventReplayView> {
    const event = isUUID(eventId) ? await this.events.findById(eventId) : null;
    if (!event) throw ApiError.notFound('event', eventId);
    if (event.status === 'received') {
      throw ApiError.conflict(
        'event_not_dispatched',
        `event ${eventId} has not been matched against the rules yet; the engine will dispatch it, replay it after that`,
      );
    }
    if (event.status === 'ignored' && !(await this.sourceNowAllows(event))) {
      // Kept to be seen, not to run, until its source allows the type; then replaying it is how the
      // operator runs what was ignored (a provider's retry of it is a duplicate, so nothing else will).
      throw ApiError.conflict(
        'event_ignored',
        `event ${eventId} was ignored and still would be: source "${event.sourceId}" does not allow type "${event.type ?? ''}"; add it to the source's events to replay it`,
      );
    }
    const candidates = ruleId === undefined ? await this.rulesOfSource(event.sourceId) : [await this.namedRule(ruleId)];
    const verdicts = await Promise.all(candidates.map((candidate) => this.judge(candidate, event)));
    const runs = verdicts.flatMap((verdict) => ('run' in verdict ? [verdict.run] : []));
    const replay: EventReplay =
      runs.length > 0 ? await this.replays.replayEvent(eventId, runs, { force }) : { outcome: 'replayed', runs: [] };
    if (replay.outcome === 'in_flight') throw inFlightConflict(eventId, replay.runs);
    const replayed = replay.runs;
    await this.launcher.launch(replayed.map((run) => run.runId));
    return { eventId, runs: replayed, skipped: verdicts.flatMap((verdict) => ('skipped' in verdict ? [verdict.skipped] : [])) };
  }

  /** Whether the event's source, as defined now, takes the event's type (`events`, absent: every type). */
  private async sourceNowAllows(event: EventEntity): Promise<boolean> {
    const source = await this.sources.find(event.sourceId);
    // The filter ingest applies (absent when the source takes every type).
    return source !== undefined && (compileEventTypeFilter(source.settings)?.allows(event.type) ?? true);
  }

  private async rulesOfSource(sourceId: string): Promise<ActiveRuleVersion[]> {
    return (await this.catalog.activeRuleVersions()).filter((rule) => ruleTakesSource(rule.sourceId, sourceId));
  }

  private async namedRule(ruleId: string): Promise<ActiveRuleVersion> {
    const state = await this.replays.ruleState(ruleId);
    if (!state) throw ApiError.notFound('rule', ruleId);
    if (!state.enabled) {
      throw ApiError.conflict('rule_disabled', `rule "${ruleId}" is disabled; resume it before replaying events through it`);
    }
    const version = await this.catalog.ruleVersion(ruleId, state.currentVersion);
    if (!version) throw ApiError.notFound('rule', ruleId);
    return { ruleId, version: state.currentVersion, sourceId: state.sourceId, definition: version.definition };
  }

  private async judge(candidate: ActiveRuleVersion, event: EventEntity): Promise<Verdict> {
    const skip = (reason: SkippedRuleView['reason'], message: string): Verdict => ({
      skipped: { ruleId: candidate.ruleId, reason, message },
    });
    if (!ruleTakesSource(candidate.sourceId, event.sourceId)) {
      const takes = candidate.sourceId === '*' ? 'every delivery ("*"), never Hookflow\'s own events' : `source "${candidate.sourceId}"`;
      return skip('source', `rule "${candidate.ruleId}" is for ${takes}, the event came from "${event.sourceId}"`);
    }
    let rule: CompiledRule;
    try {
      rule = compileRule(
        candidate.ruleId,
        candidate.version,
        candidate.definition as unknown as RuleDefinition,
        this.config.rules.variables,
      );
    } catch (error) {
      return skip('not_compiled', `rule "${candidate.ruleId}" v${candidate.version} does not compile: ${(error as Error).message}`);
    }
    const match = await matchRule(rule, event.type, eventContext(event));
    if (match.outcome === 'matched') return { run: { id: uuidv7(), ruleId: rule.id, ruleVersion: rule.version } };
    if (match.outcome === 'error') return skip('when_failed', `rule "${rule.id}": ${match.error}`);
    return match.reason === 'event_type'
      ? skip('event_type', `rule "${rule.id}" does not take events of type ${event.type === null ? '(none)' : `"${event.type}"`}`)
      : skip('when', `rule "${rule.id}": when gave ${JSON.stringify(match.when) ?? 'nothing'}`);
  }
}

/** 409 `runs_in_flight`: a replay now could deliver the event twice. */
export function inFlightConflict(eventId: string, runs: InFlightRun[]): ApiError {
  const described = runs.map((run) => `run ${run.runId} of rule "${run.ruleId}" is ${run.status}`);
  return new ApiError(
    409,
    'runs_in_flight',
    `event ${eventId} has runs that have not finished (${runs.map((run) => run.runId).join(', ')}), so a replay now could ` +
      'deliver it twice; wait for them to finish, or send "force": true to replay anyway',
    described.map((message) => ({ path: 'force', message })),
  );
}
