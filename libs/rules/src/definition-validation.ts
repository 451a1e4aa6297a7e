import {
  checkApiSource,
  checkRule,
  dbTargetsOf,
  DefinitionPath,
  Locator,
  ProblemReporter,
  reportSchemaErrors,
  validateRuleFile,
} from './definition-checks';
import { DbTarget, RuleDefinition, SourceDefinition } from './rule-definitions';
import { RulesProblem, RulesValidationError } from './rules-validation.error';
import { VariableScope } from './variables';

/** What a lone rule may refer to: the sources and connections that exist where it is being saved. */
export interface DefinitionReferences {
  sourceIds: ReadonlySet<string>;
  connectionIds: ReadonlySet<string>;
}

/** A rule definition that passed every check that needs no database, and its db steps' targets for those that do. */
export interface ValidatedRule {
  rule: RuleDefinition;
  dbTargets: DbTarget[];
}

/** How a lone definition says a reference is missing: it is not in a file, so "no file defines" would mislead. */
const MISSING_REFERENCE = { source: 'which does not exist', connection: 'which the rules directory does not define' };

/**
 * Validates one source definition given as JSON (the admin API) with the checks and words of a
 * source in a rules file (the schema, its expressions) and those of a definition written through
 * the API: `${VAR}` only in `secrets`, and only the variables `variables` allows. Returns it with
 * its secrets resolved. Throws {@link RulesValidationError} whose problems carry a `path` inside
 * the definition (`tolerance`, `secrets.0`).
 */
export function validateSourceDefinition(value: unknown, variables: VariableScope): SourceDefinition {
  const label = labelOf('source', value);
  const problems: RulesProblem[] = [];
  const report = jsonReporter(label, problems);
  if (!validateRuleFile({ sources: [value] })) {
    reportSchemaErrors(validateRuleFile.errors ?? [], report, 'the source', ['sources', 0]);
    throw new RulesValidationError(problems);
  }
  const resolved = checkApiSource(report, [], value as SourceDefinition, variables);
  if (problems.length > 0) throw new RulesValidationError(problems);
  return resolved;
}

/**
 * Validates one rule definition given as JSON (the admin API) with exactly the checks and words of
 * a rule in a rules file (the schema, expressions, templates, unique step ids, variables that are
 * set, a source and db step connections that exist) and the variables `variables` allows. The rule
 * keeps its `${VAR}` references, as a rule from a file does. Throws {@link RulesValidationError}
 * whose problems carry a `path`.
 */
export function validateRuleDefinition(value: unknown, variables: VariableScope, references: DefinitionReferences): ValidatedRule {
  const label = labelOf('rule', value);
  const problems: RulesProblem[] = [];
  const report = jsonReporter(label, problems);
  if (!validateRuleFile({ rules: [value] })) {
    reportSchemaErrors(validateRuleFile.errors ?? [], report, 'the rule', ['rules', 0]);
    throw new RulesValidationError(problems);
  }
  const rule = value as RuleDefinition;
  checkRule(report, [], rule, variables.values, { ...references, missing: MISSING_REFERENCE }, variables);
  if (problems.length > 0) throw new RulesValidationError(problems);
  return { rule, dbTargets: dbTargetsOf(jsonLocator(label), [], rule) };
}

function labelOf(kind: string, value: unknown): string {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `${kind} "${id}"` : kind;
}

function jsonLocator(label: string): Locator {
  return (path, key) => ({ file: label, path: dottedPath(key === undefined ? path : [...path, key]) });
}

function jsonReporter(label: string, problems: RulesProblem[]): ProblemReporter {
  const locate = jsonLocator(label);
  return (path, message, key) => problems.push({ ...locate(path, key), message });
}

function dottedPath(path: DefinitionPath): string {
  return path.join('.');
}
