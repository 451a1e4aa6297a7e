import { EventsRepository, SourcesRepository } from '@hookflow/persistence';
import {
  CompiledRule,
  compileExpression,
  ContextEvent,
  eventContext,
  ExpressionContext,
  RuleDefinition,
  ruleTakesSource,
} from '@hookflow/rules';
import { DEFAULT_EVENT_TYPE, verifierFor } from '@hookflow/verification';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { RuleTestDto, SampleEventDto } from './rule.dto';
import { DryRunView, VARIABLES_NOT_RESOLVED } from './rule-dry-run.view';
import { RuleSimulation } from './rule-simulation';
import { RuleValidation } from './rule-validation.service';
import { RulesService } from './rules.service';

/**
 * The dry run: does a rule match an event, what does its `when` give, and what would each step
 * send. It reads (the rule, the source, a stored event) and writes nothing: no request, email,
 * row, run or queued job. It resolves no `${VAR}` (see {@link RuleSimulation}): a read key may call it.
 */
@Injectable()
export class RuleDryRunService {
  constructor(
    private readonly rules: RulesService,
    private readonly validation: RuleValidation,
    private readonly sources: SourcesRepository,
    private readonly events: EventsRepository,
  ) {}

  /** Dry run of a saved rule's current version. */
  async testSaved(id: string, request: RuleTestDto): Promise<DryRunView> {
    const saved = await this.rules.existing(id);
    const definition = saved.definition as unknown as RuleDefinition;
    return this.run(definition, saved.version, request);
  }

  /** Dry run of a rule not saved yet, checked as POST /rules would check it (but for the database). */
  async testUnsaved(body: unknown, request: RuleTestDto): Promise<DryRunView> {
    const definition = await this.validation.validate(body, { checkDatabase: false });
    return this.run(definition, 0, request);
  }

  private async run(definition: RuleDefinition, version: number, request: RuleTestDto): Promise<DryRunView> {
    const simulation = this.simulation(definition, version);
    const rule = simulation.rule;
    const event = await this.eventOf(rule, request);
    const context = eventContext(event);
    const sourceMatches = ruleTakesSource(rule.sourceId, event.sourceId);
    const typeMatches = rule.matchesEventType(event.type);
    const when = await simulation.when(context);
    return {
      rule: { id: rule.id, version: version > 0 ? version : null, source: rule.sourceId },
      event: { id: event.id ?? null, source: event.sourceId, type: event.type, receivedAt: event.receivedAt.toISOString() },
      matches: sourceMatches && typeMatches && (when === null || when.truthy === true),
      source: { matches: sourceMatches, rule: rule.sourceId, event: event.sourceId },
      eventType: { matches: typeMatches, patterns: definition.events ?? null, event: event.type },
      when,
      steps: await simulation.steps(context),
      variables: VARIABLES_NOT_RESOLVED,
    };
  }

  /** A stored definition that no longer compiles (the engine skips it too) is a 422, not a 500. */
  private simulation(definition: RuleDefinition, version: number): RuleSimulation {
    try {
      return new RuleSimulation(definition, version);
    } catch (error) {
      throw ApiError.invalid(`rule "${definition.id}" does not compile, so the engine does not run it`, [
        { path: '', message: (error as Error).message },
      ]);
    }
  }

  private async eventOf(rule: CompiledRule, request: RuleTestDto): Promise<ContextEvent> {
    if ((request.event === undefined) === (request.eventId === undefined)) {
      throw new ApiError(400, 'invalid_request', 'the request is not valid', [
        { path: request.event === undefined ? 'event' : 'eventId', message: 'give either event (a sample) or eventId (a stored event)' },
      ]);
    }
    if (request.eventId !== undefined) {
      const stored = await this.events.findById(request.eventId);
      if (!stored) throw ApiError.notFound('event', request.eventId);
      return stored;
    }
    return this.sampleEvent(rule, request.event as SampleEventDto);
  }

  private async sampleEvent(rule: CompiledRule, sample: SampleEventDto): Promise<ContextEvent> {
    const sourceId = sample.source ?? (rule.sourceId === '*' ? undefined : rule.sourceId);
    if (sourceId === undefined) {
      throw new ApiError(400, 'invalid_request', 'the request is not valid', [
        { path: 'event.source', message: 'event.source is required to test a rule of every source ("*")' },
      ]);
    }
    const headers = Object.fromEntries(Object.entries(sample.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    const event: ContextEvent = { type: sample.type ?? null, sourceId, receivedAt: new Date(), headers, payload: sample.payload };
    if (sample.type === undefined) event.type = await this.eventTypeOf(event);
    return event;
  }

  /** What ingest would take as the sample's type: the source's `eventType`, its provider's convention, or `payload.type`. */
  private async eventTypeOf(event: ContextEvent): Promise<string | null> {
    const source = await this.sources.find(event.sourceId);
    const written = source?.settings.eventType;
    const expression =
      typeof written === 'string' && written !== ''
        ? written
        : ((source && verifierFor(source.provider)?.defaults?.eventType) ?? DEFAULT_EVENT_TYPE);
    const context: ExpressionContext = eventContext(event);
    const value = await compileExpression(expression)
      .evaluate(context)
      .catch(() => undefined);
    return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? String(value) : null;
  }
}
