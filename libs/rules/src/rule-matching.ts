import { SYSTEM_SOURCE_ID } from '@hookflow/persistence';
import type { CompiledRule } from './compiled-rule';
import { ExpressionContext, isTruthy } from './expression';

/**
 * What matching one rule against one event found:
 * - `matched`: the event type is one of the rule's globs and `when` (if any) is truthy;
 * - `skipped`: the type is not one of its globs (`event_type`), or `when` gave a falsy value (`when`);
 * - `error`: `when` could not be evaluated; the engine still makes a run, failed and dead-lettered with `error`.
 * `when` holds what the rule's `when` gave, when it was evaluated (a dry run shows it).
 */
export type RuleMatch =
  | { outcome: 'matched'; when?: unknown }
  | { outcome: 'skipped'; reason: 'event_type' }
  | { outcome: 'skipped'; reason: 'when'; when: unknown }
  | { outcome: 'error'; error: string };

/**
 * Whether a rule applies to an event: its event-type globs, then its `when`. Pure but for the
 * expression's own time limit; the one place dispatch and replays decide it.
 */
export async function matchRule(rule: CompiledRule, eventType: string | null, context: ExpressionContext): Promise<RuleMatch> {
  if (!rule.matchesEventType(eventType)) return { outcome: 'skipped', reason: 'event_type' };
  if (!rule.when) return { outcome: 'matched' };
  try {
    const result = await rule.when.evaluate({ ...context, rule: { id: rule.id, version: rule.version } });
    return isTruthy(result) ? { outcome: 'matched', when: result } : { outcome: 'skipped', reason: 'when', when: result };
  } catch (error) {
    return { outcome: 'error', error: `when: ${(error as Error).message}` };
  }
}

/**
 * Whether a rule of source `ruleSource` (a source id or `*`) takes events of `eventSource`: its
 * own source's, and every delivery's for `*`. Hookflow's own events (the built-in `hookflow`
 * source) go to the rules that name it only: a `*` rule written for deliveries would otherwise run
 * (and maybe fail) on every alert. Replays and dry runs decide it here; the engine's rule registry
 * builds the same split into its per-source lists.
 */
export function ruleTakesSource(ruleSource: string, eventSource: string): boolean {
  return ruleSource === eventSource || (ruleSource === '*' && eventSource !== SYSTEM_SOURCE_ID);
}
