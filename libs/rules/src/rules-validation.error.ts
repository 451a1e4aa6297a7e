/** A place in a rules directory, as precise as the parser allows, or inside a definition sent as JSON. */
export interface RulesLocation {
  /** The file; for a definition sent as JSON (admin API), what the definition is: `rule "big-order"`. */
  file: string;
  line?: number;
  column?: number;
  /** In a definition sent as JSON: the dotted path from its root (`steps.0.url`; empty for the root itself). */
  path?: string;
}

/** One problem in a rules directory, located as precisely as the parser allows. */
export interface RulesProblem extends RulesLocation {
  message: string;
}

/** Everything wrong with a rules directory, reported at once. */
export class RulesValidationError extends Error {
  override readonly name = 'RulesValidationError';
  readonly code = 'rules_invalid';

  constructor(readonly problems: RulesProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(problem: RulesProblem): string {
  const position = problem.line === undefined ? '' : `:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${problem.file}${position}: ${problem.message}`;
}

/** Problems in reading order: by file, then line, then column. */
export function byPosition(a: RulesProblem, b: RulesProblem): number {
  return a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
