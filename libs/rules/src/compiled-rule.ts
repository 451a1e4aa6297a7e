import { parseDuration } from '@hookflow/config';
import { compileEventTypeGlobs } from './event-type-glob';
import { CompiledExpression, compileExpression, ExpressionLimits, DEFAULT_EXPRESSION_LIMITS } from './expression';
import { RetryPolicy, toRetryPolicy } from './retry-policy';
import { RetryPolicyDefinition, RuleDefinition, StepDefinition } from './rule-definitions';
import { CompiledTemplate, compileTemplate } from './template';
import { substituteVariables } from './variables';

export interface CompiledStep {
  id: string;
  type: StepDefinition['type'];
  when?: CompiledExpression;
  timeoutMs?: number;
  /** The rule's retry policy with the step's own `retry` fields over it. */
  retry: RetryPolicy;
  /** A final failure is recorded as `steps.<id>.status = 'failed'` and the run goes on. */
  continueOnError: boolean;
  /**
   * Every other field of the step, templated, except the {@link STEP_EXPRESSION_FIELDS} of its
   * type, which are evaluated; rendering gives the executor its input.
   */
  input: CompiledTemplate;
}

/**
 * Step fields written as JSONata rather than as templates, by step type, and the input key the
 * executor gets their result under: a `transform` executor receives `{ value }`.
 */
export const STEP_EXPRESSION_FIELDS: Readonly<Partial<Record<StepDefinition['type'], Readonly<Record<string, string>>>>> = {
  transform: { expression: 'value' },
};

/** A rule version ready to run: expressions and templates compiled once, variables resolved (or, in a dry run, left as written). */
export interface CompiledRule {
  id: string;
  version: number;
  sourceId: string;
  matchesEventType(eventType: string | null | undefined): boolean;
  when?: CompiledExpression;
  retry: RetryPolicy;
  steps: CompiledStep[];
}

/**
 * What a rule's `${VAR}` references compile to: the values of the environment (the engine), or
 * `'unresolved'`: their own text, as written (a dry run, whose answer must hold nothing secret).
 */
export type RuleVariables = Readonly<Record<string, string | undefined>> | 'unresolved';

/**
 * Compiles a rule version. With `'unresolved'` variables every `${VAR}` keeps its own text: a rule
 * that passed the checks of a file or of the admin API compiles so too, since those compile its
 * expressions and templates as written. Throws {@link ExpressionSyntaxError} for one that does not.
 */
export function compileRule(
  id: string,
  version: number,
  definition: RuleDefinition,
  variables: RuleVariables,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): CompiledRule {
  const resolved = variables === 'unresolved' ? definition : substituteVariables(definition, variables);
  return {
    id,
    version,
    sourceId: resolved.source,
    matchesEventType: compileEventTypeGlobs(resolved.events),
    when: resolved.when === undefined ? undefined : compileExpression(resolved.when, limits),
    retry: toRetryPolicy(resolved.retry),
    steps: resolved.steps.map((step) => compileStep(step, resolved.retry, limits)),
  };
}

function compileStep(step: StepDefinition, ruleRetry: RetryPolicyDefinition | undefined, limits: ExpressionLimits): CompiledStep {
  const { id, type, when, timeout, retry, continueOnError, ...fields }: StepDefinition & { timeout?: string | number } = step;
  const evaluated = STEP_EXPRESSION_FIELDS[type] ?? {};
  const templated = Object.fromEntries(Object.entries(fields).filter(([field]) => !(field in evaluated)));
  const expressions = Object.entries(evaluated).map(
    ([field, key]) => [key, compileExpression(String((fields as Record<string, unknown>)[field]), limits)] as const,
  );
  return {
    id,
    type,
    when: when === undefined ? undefined : compileExpression(when, limits),
    timeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
    retry: toRetryPolicy({ ...ruleRetry, ...retry }),
    continueOnError: continueOnError === true,
    input: withResultsOf(expressions, compileTemplate(templated, limits)),
  };
}

/** A template whose rendering also carries the result of each expression, under its key. */
function withResultsOf(expressions: (readonly [string, CompiledExpression])[], template: CompiledTemplate): CompiledTemplate {
  if (expressions.length === 0) return template;
  return {
    async render(context) {
      const rendered = (await template.render(context)) as Record<string, unknown>;
      for (const [key, expression] of expressions) rendered[key] = await expression.evaluate(context);
      return rendered;
    },
  };
}
