import { SYSTEM_SOURCE_ID } from '@hookflow/persistence';
import Ajv, { ErrorObject } from 'ajv';
import { STEP_EXPRESSION_FIELDS } from './compiled-rule';
import { ExpressionSyntaxError, compileExpression } from './expression';
import { compilePayloadSchema, payloadSchemaRules } from './payload-schema';
import { DbTarget, RuleDefinition, SourceDefinition } from './rule-definitions';
import { RULE_FILE_SCHEMA } from './rule-file.schema';
import { RulesLocation } from './rules-validation.error';
import { compileTemplate } from './template';
import { requiredVariables, substituteVariables, variableReferences, VariableScope } from './variables';

/**
 * The checks of one source or rule definition, shared by the rules directory loader (a definition
 * inside a YAML file) and the admin API (a definition sent as JSON), so both report the same
 * problems in the same words. Where a problem is reported is the caller's business: a file line
 * and column, or a path inside the JSON body.
 */

/** Validates a whole rule file against {@link RULE_FILE_SCHEMA}; a lone definition is validated inside a file-shaped wrapper. */
export const validateRuleFile = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(
  RULE_FILE_SCHEMA,
);

/** Keys and array indexes from the root of a file or definition: `['steps', 0, 'url']`. */
export type DefinitionPath = (string | number)[];

/** Records one problem at `path`, or at the key `key` of the mapping there. */
export type ProblemReporter = (path: DefinitionPath, message: string, key?: string) => void;

/** Where the value at `path` (or the key `key` of the mapping there) was written. */
export type Locator = (path: DefinitionPath, key?: string) => RulesLocation;

/** How a definition's references to sources and connections are checked. */
export interface ReferenceCheck {
  /** Ids a rule's `source` may name (besides `*`). */
  sourceIds: ReadonlySet<string>;
  /** Ids a db step's `connection` may name. */
  connectionIds: ReadonlySet<string>;
  /** The end of the sentence for a reference to nothing: `which no file defines`. */
  missing: { source: string; connection: string };
}

/**
 * Reports ajv's errors for a value validated against the rule file schema, in words. `root` names
 * the value itself (`the file`); `prefix` is cut from the front of each error's path, so a
 * definition validated inside a wrapper is reported from its own root.
 */
export function reportSchemaErrors(errors: ErrorObject[], report: ProblemReporter, root: string, prefix: DefinitionPath = []): void {
  // A failed oneOf/anyOf is reported once, in words, rather than as the failure of each branch.
  const branchesOf = (parent: ErrorObject): ErrorObject[] =>
    errors.filter((error) => error.instancePath === parent.instancePath && error.schemaPath.startsWith(`${parent.schemaPath}/`));
  const inBranch = new Set(errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf').flatMap(branchesOf));
  for (const error of errors) {
    if (error.keyword === 'if' || inBranch.has(error)) continue;
    const path: DefinitionPath = error.instancePath
      .split('/')
      .slice(1)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')))
      .slice(prefix.length);
    const params = error.params as Record<string, unknown>;
    const key =
      error.keyword === 'additionalProperties'
        ? String(params.additionalProperty)
        : error.keyword === 'required'
          ? String(params.missingProperty)
          : undefined;
    report(path, describeSchemaError(error, path, branchesOf(error), root), key);
  }
}

function describeSchemaError(error: ErrorObject, path: DefinitionPath, branches: ErrorObject[], root: string): string {
  const where = path.length > 0 ? path.join('.') : root;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}: unknown key "${String(params.additionalProperty)}"`;
    case 'required':
      return `${where}: missing required key "${String(params.missingProperty)}"`;
    case 'enum':
      return `${where}: must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `${where}: must be "${String(params.allowedValue)}"`;
    case 'oneOf':
      return `${where}: must be a duration such as 250ms, 2s, 5m or 1h`;
    case 'anyOf':
      if (branches.length > 0 && branches.every((branch) => branch.keyword === 'required')) {
        const keys = branches.map((branch) => `"${String((branch.params as { missingProperty?: unknown }).missingProperty)}"`);
        return `${where}: missing required key ${keys.join(' or ')}`;
      }
      return `${where}: ${error.message ?? 'is invalid'}`;
    default:
      return `${where}: ${error.message ?? 'is invalid'}`;
  }
}

/**
 * A source's expressions compile; returns it with its `${VAR}` references resolved (unset ones
 * reported) and checks the result again, since a value is only known valid once resolved. Every
 * variable of the environment may be named: this is the check of a rules file, the operator's.
 */
export function checkSource(
  report: ProblemReporter,
  path: DefinitionPath,
  source: SourceDefinition,
  variables: Readonly<Record<string, string | undefined>>,
): SourceDefinition {
  checkSourceId(report, path, source);
  checkExpressions(report, path, source, ['eventType', 'idempotencyKey']);
  // A schema still given as a path here is one the loader could not read, and has said so.
  checkPayloadSchemas(report, path, source, () => undefined);
  let missing = false;
  const resolved = substituteVariables(source, variables, (name) => {
    missing = true;
    report(path, `source "${source.id}": variable \${${name}} is not set`);
  });
  if (!missing) checkResolvedSource(report, path, resolved);
  return resolved;
}

/**
 * The checks of a source written through the admin API: those of a file, except that `${VAR}` is
 * resolved in `secrets` only (anywhere else it would be stored, and shown, as its value), and only
 * for the variables `scope` allows. Returns the source with its secrets resolved.
 */
export function checkApiSource(
  report: ProblemReporter,
  path: DefinitionPath,
  source: SourceDefinition,
  scope: VariableScope,
): SourceDefinition {
  checkSourceId(report, path, source);
  checkExpressions(report, path, source, ['eventType', 'idempotencyKey']);
  checkPayloadSchemas(report, path, source, (at) =>
    report(at, `${at.join('.')}: a schema file is read from a rules directory only; through the admin API give the schema itself`),
  );
  const { secrets, ...settings } = source;
  for (const { name, path: at } of uniqueReferences(variableReferences(settings))) {
    report(
      [...path, ...at],
      `${at.join('.')}: variable \${${name}} is not resolved here: a source written through the admin API takes \${VAR} references in secrets only`,
    );
  }
  const refused = reportRefusedVariables(report, path, { secrets }, scope);
  let missing = false;
  const resolvedSecrets = secrets?.map((secret, index) =>
    substituteVariables(secret, scope.values, (name) => {
      if (refused.has(name)) return;
      missing = true;
      report([...path, 'secrets', index], `source "${source.id}": variable \${${name}} is not set`);
    }),
  );
  const resolved = resolvedSecrets === undefined ? source : { ...source, secrets: resolvedSecrets };
  if (!missing && refused.size === 0) checkResolvedSource(report, path, resolved);
  return resolved;
}

/** The built-in source's id is Hookflow's: a definition of it would let anyone post "system" events. */
function checkSourceId(report: ProblemReporter, path: DefinitionPath, source: SourceDefinition): void {
  if (source.id === SYSTEM_SOURCE_ID) {
    report([...path, 'id'], `source id "${SYSTEM_SOURCE_ID}" is reserved for Hookflow's own events: rules name it without defining it`);
  }
}

/** A resolved source validated again: `secrets: ["${TOKEN:-}"]` may resolve to an empty secret. */
function checkResolvedSource(report: ProblemReporter, path: DefinitionPath, resolved: SourceDefinition): void {
  if (validateRuleFile({ sources: [resolved] })) return;
  const afterResolving: ProblemReporter = (at, message, key) => report([...path, ...at], `${message} once its variables are resolved`, key);
  reportSchemaErrors(validateRuleFile.errors ?? [], afterResolving, 'the source', ['sources', 0]);
}

/**
 * Reports each `${VAR}` of a definition's strings that `scope` refuses, at the path of its string;
 * returns the names refused.
 */
function reportRefusedVariables(report: ProblemReporter, path: DefinitionPath, definition: object, scope: VariableScope): Set<string> {
  const refused = new Set<string>();
  for (const { name, path: at } of uniqueReferences(variableReferences(definition))) {
    const refusal = scope.refusal(name);
    if (refusal === undefined) continue;
    refused.add(name);
    report([...path, ...at], `${at.join('.')}: ${refusal}`);
  }
  return refused;
}

/** One reference per variable and string. */
function uniqueReferences<T extends { name: string; path: DefinitionPath }>(references: T[]): T[] {
  const seen = new Set<string>();
  return references.filter((reference) => {
    const key = JSON.stringify([reference.name, reference.path]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A rule's expressions and templates compile, its step ids are unique, every variable it names is
 * set (and, with a `scope`, allowed: a rule written through the admin API), and its source and db
 * step connections exist.
 */
export function checkRule(
  report: ProblemReporter,
  path: DefinitionPath,
  rule: RuleDefinition,
  variables: Readonly<Record<string, string | undefined>>,
  references: ReferenceCheck,
  scope?: VariableScope,
): void {
  // The built-in source exists everywhere (a migration makes it), so no file or API call defines it.
  if (rule.source !== '*' && rule.source !== SYSTEM_SOURCE_ID && !references.sourceIds.has(rule.source)) {
    report([...path, 'source'], `rule "${rule.id}" names source "${rule.source}", ${references.missing.source}`);
  }
  checkExpressions(report, path, rule, ['when']);
  const stepIds = new Set<string>();
  rule.steps.forEach((step, index) => {
    const stepPath = [...path, 'steps', index];
    if (stepIds.has(step.id)) report([...stepPath, 'id'], `duplicate step id "${step.id}" in rule "${rule.id}"`);
    stepIds.add(step.id);
    const expressionFields = Object.keys(STEP_EXPRESSION_FIELDS[step.type] ?? {});
    checkExpressions(report, stepPath, step, ['when', ...expressionFields]);
    const { id: _id, type: _type, when: _when, retry: _retry, continueOnError: _continue, ...fields } = step;
    const templated = Object.fromEntries(Object.entries(fields).filter(([key]) => !expressionFields.includes(key)));
    checkTemplates(report, stepPath, templated);
  });
  // A refused variable is not also reported unset: whether it is set is none of the writer's business.
  if (scope) reportRefusedVariables(report, path, rule, scope);
  for (const name of new Set(requiredVariables(JSON.stringify(rule)))) {
    if (scope?.refusal(name) === undefined && variables[name] === undefined)
      report(path, `rule "${rule.id}": variable \${${name}} is not set`);
  }
  rule.steps.forEach((step, index) => {
    if (step.type !== 'db' || references.connectionIds.has(step.connection)) return;
    report(
      [...path, 'steps', index, 'connection'],
      `step "${step.id}" of rule "${rule.id}" names connection "${step.connection}", ${references.missing.connection}`,
    );
  });
}

/** Every db step's table and columns (names are never templated), located for a check against the database. */
export function dbTargetsOf(locate: Locator, path: DefinitionPath, rule: RuleDefinition): DbTarget[] {
  return rule.steps.flatMap((step, index): DbTarget[] => {
    if (step.type !== 'db') return [];
    const stepPath = [...path, 'steps', index];
    return [
      {
        rule: rule.id,
        step: step.id,
        connection: step.connection,
        table: step.table,
        mode: step.mode ?? 'insert',
        at: locate([...stepPath, 'table']),
        columns: Object.keys(step.values).map((name) => ({ name, at: locate([...stepPath, 'values'], name) })),
        key: step.key ?? [],
        keyAt: step.key ? locate([...stepPath, 'key']) : undefined,
      },
    ];
  });
}

/**
 * Each payload schema of a source compiles, so a broken one is refused where it is written rather
 * than making the source refuse every delivery. `onPath` handles a schema given as a file path.
 */
function checkPayloadSchemas(
  report: ProblemReporter,
  path: DefinitionPath,
  source: SourceDefinition,
  onPath: (at: DefinitionPath) => void,
): void {
  const single = !Array.isArray(source.schema);
  payloadSchemaRules(source.schema).forEach((rule, index) => {
    const at = single ? [...path, 'schema'] : [...path, 'schema', index, 'schema'];
    if (typeof rule.schema === 'string') return onPath(at);
    try {
      compilePayloadSchema(rule.schema);
    } catch (error) {
      report(at, `${at.slice(path.length).join('.')}: not a valid JSON Schema (draft-07): ${(error as Error).message}`);
    }
  });
}

function checkExpressions(report: ProblemReporter, path: DefinitionPath, owner: object, keys: string[]): void {
  for (const key of keys) {
    const source = (owner as Record<string, unknown>)[key];
    if (typeof source !== 'string') continue;
    try {
      compileExpression(source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      report([...path, key], `${key}: ${error.message}`);
    }
  }
}

function checkTemplates(report: ProblemReporter, path: DefinitionPath, value: unknown): void {
  if (typeof value === 'string') {
    try {
      compileTemplate(value);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      report(path, `${path.slice(-1).join('')}: template {{ ${error.expression} }}: ${error.message}`);
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkTemplates(report, [...path, key], item);
  }
}
