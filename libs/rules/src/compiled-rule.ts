import { parseDuration } from '@hookflow/config';
import { compileEventTypeGlobs } from './event-type-glob';
import { CompiledExpression, compileExpression, ExpressionLimits, DEFAULT_EXPRESSION_LIMITS } from './expression';
import { RetryPolicy, toRetryPolicy } from './retry-policy';
import { RuleDefinition, StepDefinition } from './rule-definitions';
import { CompiledTemplate, compileTemplate } from './template';
import { substituteVariables } from './variables';

export interface CompiledStep {
  id: string;
  type: StepDefinition['type'];
  when?: CompiledExpression;
  timeoutMs?: number;
  /** Every other field of the step, templated; rendering gives the executor its input. */
  input: CompiledTemplate;
}

/** A rule version ready to run: expressions and templates compiled once, variables resolved. */
export interface CompiledRule {
  id: string;
  version: number;
  sourceId: string;
  matchesEventType(eventType: string | null | undefined): boolean;
  when?: CompiledExpression;
  retry: RetryPolicy;
  steps: CompiledStep[];
}

export function compileRule(
  id: string,
  version: number,
  definition: RuleDefinition,
  variables: Record<string, string | undefined>,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): CompiledRule {
  const resolved = substituteVariables(definition, variables);
  return {
    id,
    version,
    sourceId: resolved.source,
    matchesEventType: compileEventTypeGlobs(resolved.events),
    when: resolved.when === undefined ? undefined : compileExpression(resolved.when, limits),
    retry: toRetryPolicy(resolved.retry),
    steps: resolved.steps.map((step) => compileStep(step, limits)),
  };
}

function compileStep(step: StepDefinition, limits: ExpressionLimits): CompiledStep {
  const { id, type, when, timeout, ...input } = step;
  return {
    id,
    type,
    when: when === undefined ? undefined : compileExpression(when, limits),
    timeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
    input: compileTemplate(input, limits),
  };
}
