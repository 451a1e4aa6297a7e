import { CompiledRule, CompiledStep, ExpressionContext, isTruthy, ResolvedVariable, RuleDefinition } from '@hookflow/rules';
import { DryRunStepView, ExpressionOutcomeView } from './rule-dry-run.view';

type StepsContext = NonNullable<ExpressionContext['steps']>;

/** What a masked value or header shows. */
export const MASKED = '[masked]';

/** Headers that carry credentials whatever their value. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;

/** Shorter variable values are not masked inside text: they could not be told from ordinary words or numbers. */
const MIN_MASKED_LENGTH = 4;

/**
 * Renders a rule's steps for an event the way the engine would, without executing any: no request,
 * no email, no row. A transform's output is computed (it has no side effect) so later steps see it;
 * the output of an http, email or db step is a placeholder, and the steps using it say so. Every
 * step is assumed to succeed, as a `when` such as `steps.x.status = "succeeded"` expects.
 */
export class RuleSimulation {
  private readonly secrets: ResolvedVariable[];

  constructor(
    private readonly rule: CompiledRule,
    private readonly definition: RuleDefinition,
    resolved: ResolvedVariable[],
  ) {
    // Longest first, so a value containing another is replaced whole.
    this.secrets = resolved
      .filter((variable) => variable.value.length >= MIN_MASKED_LENGTH)
      .sort((a, b) => b.value.length - a.value.length);
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
      view.when = this.masked(await evaluate(step.when.source, () => step.when!.evaluate(context)));
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
      view.output = this.masked(output);
      return view;
    }
    if (step.type === 'http') view.request = this.httpRequest(input);
    else view.input = this.masked(input);
    steps[step.id] = { status: 'succeeded', output: placeholderOutput(step) };
    placeholders.add(step.id);
    return view;
  }

  private failed(view: DryRunStepView, steps: StepsContext, error: string): DryRunStepView {
    steps[view.id] = { status: 'failed', output: null, error };
    return { ...view, status: 'failed', error: this.masked(error) };
  }

  /** What an http step would send, credentials masked. Every try also carries Idempotency-Key: <run id>:<step id>. */
  private httpRequest(input: Record<string, unknown>): NonNullable<DryRunStepView['request']> {
    const headers = Object.fromEntries(
      Object.entries((input.headers ?? {}) as Record<string, unknown>).map(([name, value]) => {
        const text = String(value);
        const secret = CREDENTIAL_HEADERS.test(name) || this.secrets.some((variable) => text.includes(variable.value));
        return [name, secret ? MASKED : text];
      }),
    );
    const sign = input.sign as { scheme?: unknown } | undefined;
    return {
      method: typeof input.method === 'string' ? input.method : 'POST',
      url: this.masked(String(input.url)),
      headers,
      body: this.masked(input.body ?? null),
      ...(sign ? { sign: { scheme: String(sign.scheme), secret: MASKED } } : {}),
    };
  }

  /** Every string of a value with each `${VAR}` value the rule resolved put back as its reference. */
  private masked<T>(value: T): T {
    if (typeof value === 'string') {
      return this.secrets.reduce((text, variable) => text.split(variable.value).join(variable.reference), value as string) as T;
    }
    if (Array.isArray(value)) return value.map((item: unknown) => this.masked(item)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.masked(item)])) as T;
    }
    return value;
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
