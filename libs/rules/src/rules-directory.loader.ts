import Ajv, { ErrorObject } from 'ajv';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Document, isMap, isNode, isScalar, LineCounter, parseDocument, YAMLError } from 'yaml';
import { STEP_EXPRESSION_FIELDS } from './compiled-rule';
import { ExpressionSyntaxError, compileExpression } from './expression';
import { ConnectionDefinition, DbTarget, LoadedRules, RuleDefinition, SourceDefinition } from './rule-definitions';
import { RULE_FILE_SCHEMA } from './rule-file.schema';
import { byPosition, RulesLocation, RulesProblem, RulesValidationError } from './rules-validation.error';
import { compileTemplate } from './template';
import { requiredVariables, substituteVariables } from './variables';

const validateRuleFile = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(RULE_FILE_SCHEMA);

type Path = (string | number)[];

/** A parsed file, able to say where a path inside it was written. */
class RuleFile {
  private readonly lineCounter = new LineCounter();
  readonly document: Document;

  constructor(
    readonly name: string,
    text: string,
  ) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
  }

  /** Locates a problem at the value found at `path`, or at the key `key` of the mapping there. */
  problem(path: Path, message: string, key?: string): RulesProblem {
    return { ...this.locate(path, key), message };
  }

  /** Where the value at `path` (or the key `key` of the mapping there) was written. */
  locate(path: Path, key?: string): RulesLocation {
    const node = path.length === 0 ? this.document.contents : this.document.getIn(path, true);
    const keyNode =
      key !== undefined && isMap(node) ? node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key : undefined;
    const located = isNode(keyNode) ? keyNode : node;
    const start = isNode(located) && located.range ? located.range[0] : undefined;
    if (start === undefined) return { file: this.name };
    const { line, col } = this.lineCounter.linePos(start);
    return { file: this.name, line, column: col };
  }

  positionOf(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

/**
 * Reads every `*.yaml`/`*.yml` file under a rules directory, validates it against the rule file
 * schema and the cross-file rules (unique ids, known sources, expressions that compile, variables
 * that are set) and returns the merged catalog. Source settings have their `${VAR}` references
 * resolved; rules keep theirs, so no secret is stored inside a rule definition.
 * Throws {@link RulesValidationError} with every problem found.
 */
export function loadRulesDirectory(dir: string, variables: Readonly<Record<string, string | undefined>>): LoadedRules {
  const problems: RulesProblem[] = [];
  const sources: { definition: SourceDefinition; file: RuleFile; path: Path }[] = [];
  const rules: { definition: RuleDefinition; file: RuleFile; path: Path }[] = [];
  const connections: { definition: ConnectionDefinition; file: RuleFile; path: Path }[] = [];

  for (const filePath of listRuleFiles(dir)) {
    const file = new RuleFile(displayName(filePath), readFileSync(filePath, 'utf8'));
    if (file.document.errors.length > 0) {
      const lines = new Set<number>();
      for (const error of file.document.errors) {
        const { line, column } = file.positionOf(error.pos[0]);
        if (lines.has(line)) continue; // one mistake often trips several parser errors on its line
        lines.add(line);
        problems.push({ file: file.name, line, column, message: describeYamlError(error) });
      }
      continue;
    }
    const content: unknown = file.document.toJS() ?? {};
    if (!validateRuleFile(content)) {
      problems.push(...schemaProblems(file, validateRuleFile.errors ?? []));
      continue;
    }
    const typed = content as { sources?: SourceDefinition[]; rules?: RuleDefinition[]; connections?: ConnectionDefinition[] };
    typed.connections?.forEach((definition, index) => connections.push({ definition, file, path: ['connections', index] }));
    typed.sources?.forEach((definition, index) => sources.push({ definition, file, path: ['sources', index] }));
    typed.rules?.forEach((definition, index) => rules.push({ definition, file, path: ['rules', index] }));
  }

  reportDuplicates(sources, 'source', problems);
  reportDuplicates(rules, 'rule', problems);
  reportDuplicates(connections, 'connection', problems);
  for (const { definition, file, path } of connections) checkConnection(file, path, definition, variables, problems);
  const connectionIds = new Set(connections.map(({ definition }) => definition.id));
  const sourceIds = new Set(sources.map(({ definition }) => definition.id));
  const resolvedSources = sources.map(({ definition, file, path }) => {
    checkExpressions(file, path, definition, ['eventType', 'idempotencyKey'], problems);
    return substituteVariables(definition, variables, (name) =>
      problems.push(file.problem(path, `source "${definition.id}": variable \${${name}} is not set`)),
    );
  });
  for (const { definition, file, path } of rules) {
    if (definition.source !== '*' && !sourceIds.has(definition.source)) {
      problems.push(
        file.problem([...path, 'source'], `rule "${definition.id}" names source "${definition.source}", which no file defines`),
      );
    }
    checkRule(file, path, definition, variables, problems);
    checkDbConnections(file, path, definition, connectionIds, problems);
  }
  if (problems.length > 0) throw new RulesValidationError(problems.sort(byPosition));
  return {
    sources: resolvedSources,
    rules: rules.map(({ definition }) => definition),
    connections: connections.map(({ definition }) => definition),
    dbTargets: rules.flatMap(({ definition, file, path }) => dbTargetsOf(file, path, definition)),
  };
}

/** Every db step's table and columns (names are never templated), located for a check against the database. */
function dbTargetsOf(file: RuleFile, path: Path, rule: RuleDefinition): DbTarget[] {
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
        at: file.locate([...stepPath, 'table']),
        columns: Object.keys(step.values).map((name) => ({ name, at: file.locate([...stepPath, 'values'], name) })),
        key: step.key ?? [],
        keyAt: step.key ? file.locate([...stepPath, 'key']) : undefined,
      },
    ];
  });
}

/** The YAML parser's words, or plainer ones for the indentation mistakes people actually make. */
function describeYamlError(error: YAMLError): string {
  const message = error.message.split('\n')[0] ?? error.message;
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed as indentation: indent with spaces';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'the line below is indented deeper than this key: keys of one mapping start at the same column';
    case 'BAD_INDENT':
      return message.startsWith('All mapping items') ? 'keys of one mapping must start at the same column' : message;
    case 'MISSING_CHAR':
      return message.startsWith('Sequence item without')
        ? 'this line is indented less than the keys above it, but more than the list it belongs to'
        : message;
    default:
      return message;
  }
}

/** Relative to the working directory when inside it, else absolute: what an operator can open. */
function displayName(filePath: string): string {
  const fromCwd = relative(process.cwd(), filePath);
  return fromCwd && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : resolve(filePath);
}

function listRuleFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    throw new RulesValidationError([{ file: dir, message: 'rules directory does not exist or cannot be read (HOOKFLOW_RULES_DIR)' }]);
  }
  return entries
    .filter((entry) => /\.ya?ml$/i.test(entry) && !entry.split(/[\\/]/).some((part) => part.startsWith('.')))
    .sort()
    .map((entry) => join(dir, entry));
}

function schemaProblems(file: RuleFile, errors: ErrorObject[]): RulesProblem[] {
  // A failed oneOf/anyOf is reported once, in words, rather than as the failure of each branch.
  const branchesOf = (parent: ErrorObject): ErrorObject[] =>
    errors.filter((error) => error.instancePath === parent.instancePath && error.schemaPath.startsWith(`${parent.schemaPath}/`));
  const inBranch = new Set(errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf').flatMap(branchesOf));
  return errors
    .filter((error) => error.keyword !== 'if' && !inBranch.has(error))
    .map((error) => {
      const path: Path = error.instancePath
        .split('/')
        .slice(1)
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
      const unknownKey =
        error.keyword === 'additionalProperties'
          ? String((error.params as { additionalProperty?: unknown }).additionalProperty)
          : undefined;
      return file.problem(path, describeSchemaError(error, path, branchesOf(error)), unknownKey);
    });
}

function describeSchemaError(error: ErrorObject, path: Path, branches: ErrorObject[]): string {
  const where = path.length > 0 ? path.join('.') : 'the file';
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

function reportDuplicates(
  items: { definition: { id: string }; file: RuleFile; path: Path }[],
  kind: string,
  problems: RulesProblem[],
): void {
  const seen = new Map<string, RuleFile>();
  for (const { definition, file, path } of items) {
    const first = seen.get(definition.id);
    if (first) problems.push(file.problem([...path, 'id'], `duplicate ${kind} id "${definition.id}" (first defined in ${first.name})`));
    else seen.set(definition.id, file);
  }
}

function checkRule(
  file: RuleFile,
  path: Path,
  rule: RuleDefinition,
  variables: Record<string, string | undefined>,
  problems: RulesProblem[],
): void {
  checkExpressions(file, path, rule, ['when'], problems);
  const stepIds = new Set<string>();
  rule.steps.forEach((step, index) => {
    const stepPath = [...path, 'steps', index];
    if (stepIds.has(step.id)) problems.push(file.problem([...stepPath, 'id'], `duplicate step id "${step.id}" in rule "${rule.id}"`));
    stepIds.add(step.id);
    const expressionFields = Object.keys(STEP_EXPRESSION_FIELDS[step.type] ?? {});
    checkExpressions(file, stepPath, step, ['when', ...expressionFields], problems);
    const { id: _id, type: _type, when: _when, retry: _retry, continueOnError: _continue, ...fields } = step;
    const templated = Object.fromEntries(Object.entries(fields).filter(([key]) => !expressionFields.includes(key)));
    checkTemplates(file, stepPath, templated, problems);
  });
  for (const name of new Set(requiredVariables(JSON.stringify(rule)))) {
    if (variables[name] === undefined) problems.push(file.problem(path, `rule "${rule.id}": variable \${${name}} is not set`));
  }
}

/** Connection URLs stay unresolved in the catalog, but every variable they name must be set now. */
function checkConnection(
  file: RuleFile,
  path: Path,
  connection: ConnectionDefinition,
  variables: Record<string, string | undefined>,
  problems: RulesProblem[],
): void {
  let missing = false;
  const url = substituteVariables(connection.url, variables, (name) => {
    missing = true;
    problems.push(file.problem([...path, 'url'], `connection "${connection.id}": variable \${${name}} is not set`));
  });
  if (!missing && !/^postgres(ql)?:\/\//i.test(url)) {
    problems.push(file.problem([...path, 'url'], `connection "${connection.id}": url must be a postgres:// or postgresql:// URL`));
  }
}

function checkDbConnections(file: RuleFile, path: Path, rule: RuleDefinition, connectionIds: Set<string>, problems: RulesProblem[]): void {
  rule.steps.forEach((step, index) => {
    if (step.type !== 'db' || connectionIds.has(step.connection)) return;
    problems.push(
      file.problem(
        [...path, 'steps', index, 'connection'],
        `step "${step.id}" of rule "${rule.id}" names connection "${step.connection}", which no file defines`,
      ),
    );
  });
}

function checkExpressions(file: RuleFile, path: Path, owner: object, keys: string[], problems: RulesProblem[]): void {
  for (const key of keys) {
    const source = (owner as Record<string, unknown>)[key];
    if (typeof source !== 'string') continue;
    try {
      compileExpression(source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      problems.push(file.problem([...path, key], `${key}: ${error.message}`));
    }
  }
}

function checkTemplates(file: RuleFile, path: Path, value: unknown, problems: RulesProblem[]): void {
  if (typeof value === 'string') {
    try {
      compileTemplate(value);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      problems.push(file.problem(path, `${path.slice(-1).join('')}: template {{ ${error.expression} }}: ${error.message}`));
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkTemplates(file, [...path, key], item, problems);
  }
}
