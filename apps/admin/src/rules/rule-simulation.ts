import { CompiledRule, CompiledStep, compileRule, ExpressionContext, isTruthy, RuleDefinition } from '@hookflow/rules';
import { DryRunStepView, ExpressionOutcomeView } from './rule-dry-run.view';

type StepsContext = NonNullable<ExpressionContext['steps']>;

/** What a masked value or header shows. */
export const MASKED = '[masked]';

/** Headers that carry credentials whatever their value. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;

/**
 * Renders a rule's steps for an event the way the engine would, without executing any: no request,
 * no email, no row. A transform's output is computed (it has no side effect) so later steps see it;
 * the output of an http, email or db step is a placeholder, and the steps using it say so. Every
 * step is assumed to succeed, as a `when` such as `steps.x.status = "succeeded"` expects.
 *
 * Variables are never resolved here: each `${VAR}` is rendered as its own text, so no expression
 * can compute a variable's value into the answer, however it transforms it (`$uppercase`,
 * `$base64encode`, …), for saved and unsaved rules alike.
 */
export class RuleSimulation {
  readonly rule: CompiledRule;

  /** Throws ExpressionSyntaxError when the rule does not compile (for a reason other than an unresolved variable). */
  constructor(
    private readonly definition: RuleDefinition,
    version: number,
  ) {
    this.rule = compileRule(definition.id, version, definition, 'unresolved');
  }

  /** What the rule's own `when` gives for this event, or why it could not be evaluated. */
  async when(context: ExpressionContext): Promise<ExpressionOutcomeView | null> {
    return this.rule.when ? evaluate(this.rule.when.source, () => this.rule.when!.evaluate(this.ruleContext(context))) : null;
  }

  async steps(context: ExpressionContext): Promise<DryRunStepView[]> {
    const steps: StepsContext = {};
    const stepContext: ExpressionContext = { ...this.ruleContext(context), steps };
    const placeholders = new Set<string>();
    const views: DryRunStepView[] = [];
    let stoppedBy: string | undefined;
    for (const [index, step] of this.rule.steps.entries()) {
      if (stoppedBy !== undefined) {
        views.push({ id: step.id, type: step.type, status: 'not_reached', error: `the run stops at failed step "${stoppedBy}"` });
        continue;
      }
      const uses = this.referencedSteps(index).filter((id) => placeholders.has(id));
      const view = await this.renderStep(step, stepContext, steps, placeholders);
      if (uses.length > 0) view.placeholdersFrom = uses;
      views.push(view);
      if (view.status === 'failed' && !step.continueOnError) stoppedBy = step.id;
    }
    return views;
  }

  private async renderStep(
    step: CompiledStep,
    context: ExpressionContext,
    steps: StepsContext,
    placeholders: Set<string>,
  ): Promise<DryRunStepView> {
    const view: DryRunStepView = { id: step.id, type: step.type, status: 'rendered' };
    if (step.when) {
      view.when = await evaluate(step.when.source, () => step.when!.evaluate(context));
      if (view.when.error !== undefined) return this.failed(view, steps, `when: ${view.when.error}`);
      if (!view.when.truthy) {
        steps[step.id] = { status: 'skipped' };
        return { ...view, status: 'skipped' };
      }
    }
    let input: Record<string, unknown>;
    try {
      input = (await step.input.render(context)) as Record<string, unknown>;
    } catch (error) {
      return this.failed(view, steps, `step ${step.id} could not be rendered: ${(error as Error).message}`);
    }
    if (step.type === 'transform') {
      const output = input.value ?? null;
      steps[step.id] = { status: 'succeeded', output };
      view.output = output;
      return view;
    }
    if (step.type === 'http') view.request = this.httpRequest(input);
    else view.input = input;
    steps[step.id] = { status: 'succeeded', output: placeholderOutput(step) };
    placeholders.add(step.id);
    return view;
  }

  private failed(view: DryRunStepView, steps: StepsContext, error: string): DryRunStepView {
    steps[view.id] = { status: 'failed', output: null, error };
    return { ...view, status: 'failed', error };
  }

  /** What an http step would send, credentials masked. Every try also carries Idempotency-Key: <run id>:<step id>. */
  private httpRequest(input: Record<string, unknown>): NonNullable<DryRunStepView['request']> {
    const headers = Object.fromEntries(
      Object.entries((input.headers ?? {}) as Record<string, unknown>).map(([name, value]) => [
        name,
        CREDENTIAL_HEADERS.test(name) ? MASKED : String(value),
      ]),
    );
    const sign = input.sign as { scheme?: unknown } | undefined;
    return {
      method: typeof input.method === 'string' ? input.method : 'POST',
      url: String(input.url),
      headers,
      body: input.body ?? null,
      ...(sign ? { sign: { scheme: String(sign.scheme), secret: MASKED } } : {}),
    };
  }

  /** Ids of the earlier steps that the step at `index` refers to (`steps.<id>` or steps.`<id>`). */
  private referencedSteps(index: number): string[] {
    const text = JSON.stringify(this.definition.steps[index] ?? {});
    return this.definition.steps.slice(0, index).flatMap((earlier) => {
      const id = earlier.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`steps\\s*\\.\\s*(\`${id}\`|${id}(?![A-Za-z0-9_]))`).test(text) ? [earlier.id] : [];
    });
  }

  private ruleContext(context: ExpressionContext): ExpressionContext {
    return { ...context, rule: { id: this.rule.id, ...(this.rule.version > 0 ? { version: this.rule.version } : {}) } };
  }
}

async function evaluate(expression: string, run: () => Promise<unknown>): Promise<ExpressionOutcomeView> {
  try {
    const value = await run();
    return { expression, value: value ?? null, truthy: isTruthy(value) };
  } catch (error) {
    return { expression, error: (error as Error).message };
  }
}

/** What later steps see as the output of a step a dry run does not execute. */
function placeholderOutput(step: CompiledStep): string {
  return `[dry run: output of ${step.type} step "${step.id}", which is not executed]`;
}
