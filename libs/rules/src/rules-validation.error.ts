/** A place in a rules directory, as precise as the parser allows. */
export interface RulesLocation {
  file: string;
  line?: number;
  column?: number;
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
