import { LoadedRules } from './rule-definitions';
import { RulesProblem } from './rules-validation.error';

/** What a check found: problems refuse the directory, warnings are only reported. */
export interface RulesCheckResult {
  problems: RulesProblem[];
  warnings: string[];
}

/**
 * A validation that needs the world outside the files (a database, say). It runs after the
 * directory has loaded and before it is synced, at start-up and on every reload.
 */
export interface RulesCheck {
  check(rules: LoadedRules): Promise<RulesCheckResult>;
}

/** Injection token of the {@link RulesCheck}s an app runs (see RulesModule.forRoot). */
export const RULES_CHECKS = Symbol('RULES_CHECKS');
