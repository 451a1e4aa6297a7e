import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Document, isMap, isNode, isScalar, LineCounter, parseDocument, YAMLError } from 'yaml';
import {
  checkRule,
  checkSource,
  dbTargetsOf,
  DefinitionPath as Path,
  ProblemReporter,
  reportSchemaErrors,
  validateRuleFile,
} from './definition-checks';
import { ConnectionDefinition, LoadedRules, RuleDefinition, SourceDefinition } from './rule-definitions';
import { byPosition, RulesLocation, RulesProblem, RulesValidationError } from './rules-validation.error';
import { inlineSchemaFiles } from './schema-files';
import { substituteVariables } from './variables';

/** Where a rules directory says a rule's source or db step connection is missing. */
const MISSING_IN_FILES = { source: 'which no file defines', connection: 'which no file defines' };

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

  /** Reports problems of this file into `problems`. */
  reporter(problems: RulesProblem[]): ProblemReporter {
    return (path, message, key) => problems.push(this.problem(path, message, key));
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
      reportSchemaErrors(validateRuleFile.errors ?? [], file.reporter(problems), 'the file');
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
    const report = file.reporter(problems);
    return checkSource(report, path, inlineSchemaFiles(dir, definition, report, path), variables);
  });
  const references = { sourceIds, connectionIds, missing: MISSING_IN_FILES };
  for (const { definition, file, path } of rules) checkRule(file.reporter(problems), path, definition, variables, references);
  if (problems.length > 0) throw new RulesValidationError(problems.sort(byPosition));
  return {
    sources: resolvedSources,
    rules: rules.map(({ definition }) => definition),
    connections: connections.map(({ definition }) => definition),
    dbTargets: rules.flatMap(({ definition, file, path }) => dbTargetsOf((at, key) => file.locate(at, key), path, definition)),
  };
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
