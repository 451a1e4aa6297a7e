/** One problem in a rules directory, located as precisely as the parser allows. */
export interface RulesProblem {
  file: string;
  line?: number;
  column?: number;
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
