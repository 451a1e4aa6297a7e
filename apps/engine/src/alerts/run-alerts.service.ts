import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import {
  AlertSignalsRepository,
  DeadLetterCause,
  EventForRules,
  EventsRepository,
  RunEntity,
  SYSTEM_SOURCE_ID,
} from '@hookflow/persistence';
import { Inject, Injectable } from '@nestjs/common';
import { ConsoleLinks } from './console-links';
import { SystemEvents } from './system-events.service';

type RunRef = Pick<RunEntity, 'id' | 'eventId' | 'ruleId'>;
type EventRef = Pick<EventForRules, 'id' | 'sourceId' | 'type'>;

/**
 * `run.dead_lettered` and `run.recovered`, one per rule per window. Never about a run of one of
 * Hookflow's own events: an alert rule that fails must not raise an alert about itself, which
 * would raise another, and so on.
 */
@Injectable()
export class RunAlerts {
  private readonly links: ConsoleLinks;

  constructor(
    @Inject(HOOKFLOW_CONFIG) config: HookflowConfig,
    private readonly events: EventsRepository,
    private readonly signals: AlertSignalsRepository,
    private readonly systemEvents: SystemEvents,
  ) {
    this.links = new ConsoleLinks(config.alerts.consoleUrl);
  }

  /** A run was dead-lettered; `event` saves a lookup when the caller has it. Never throws. */
  async deadLettered(
    run: RunRef,
    failure: { stepId: string | null; cause: DeadLetterCause; error: string },
    event?: EventRef,
  ): Promise<void> {
    if (!this.systemEvents.observed) return;
    const source = await this.sourceOf(run, event);
    if (!source || source.sourceId === SYSTEM_SOURCE_ID) return;
    await this.systemEvents.emit({
      type: 'run.dead_lettered',
      subject: run.ruleId,
      payload: {
        summary: `Rule ${run.ruleId} dead-lettered a run of a ${source.type ?? 'untyped'} event from ${source.sourceId} [${failure.cause}]: ${failure.error}`,
        source: source.sourceId,
        rule: run.ruleId,
        runId: run.id,
        eventId: run.eventId,
        eventType: source.type,
        stepId: failure.stepId,
        cause: failure.cause,
        lastError: failure.error,
        consoleUrl: this.links.run(run.id),
        ruleUrl: this.links.rule(run.ruleId),
      },
    });
  }

  /** A run that replays a dead letter succeeded (a replay of a run that had succeeded is no recovery). Never throws. */
  async recovered(run: RunRef & Pick<RunEntity, 'replayOf'>, event: EventRef): Promise<void> {
    if (run.replayOf === null || event.sourceId === SYSTEM_SOURCE_ID || !this.systemEvents.observed) return;
    const deadLetter = await this.signals.deadLetterReplayedBy(run.id).catch(() => undefined);
    if (!deadLetter) return;
    await this.systemEvents.emit({
      type: 'run.recovered',
      subject: run.ruleId,
      payload: {
        summary: `Rule ${run.ruleId} recovered: the replay of a dead letter (event from ${event.sourceId}) succeeded`,
        source: event.sourceId,
        rule: run.ruleId,
        runId: run.id,
        replayOf: run.replayOf,
        deadLetterId: deadLetter.id,
        deadLetteredAt: deadLetter.createdAt,
        lastError: deadLetter.error,
        eventId: run.eventId,
        eventType: event.type,
        consoleUrl: this.links.run(run.id),
        ruleUrl: this.links.rule(run.ruleId),
      },
    });
  }

  private async sourceOf(run: RunRef, event?: EventRef): Promise<EventRef | undefined> {
    if (event) return event;
    try {
      return (await this.events.findForRules(run.eventId)) ?? undefined;
    } catch {
      return undefined; // the database is away: the dead letter itself is what matters, and it is written
    }
  }
}
