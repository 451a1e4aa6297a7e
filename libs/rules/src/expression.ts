import { createHmac, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';

/** What every expression sees (DESIGN.md, "Expression context"). */
export interface ExpressionContext {
  event: { id?: string; type?: string | null; source: string; receivedAt: string; headers: Record<string, string> };
  payload: unknown;
  steps?: Record<string, { status: string; output?: unknown; error?: string }>;
  rule?: { id: string; version?: number };
}

export interface ExpressionLimits {
  /**
   * Wall-clock budget of one evaluation. JSONata evaluates asynchronously, so this also counts the
   * time other work holds the event loop in between: generous enough that a busy process does not
   * time out trivial expressions, short enough to stop a runaway one.
   */
  timeoutMs: number;
  /** Maximum evaluation depth (recursion). */
  maxDepth: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = { timeoutMs: 1_000, maxDepth: 500 };

/** A JSONata expression that does not compile; `position` is the character offset inside it. */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly detail: string,
  ) {
    super(`invalid JSONata at position ${position}: ${detail}`);
  }
}

/** An expression that failed while evaluating (error, time or depth limit). */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
  constructor(
    readonly expression: string,
    readonly code: string,
    detail: string,
  ) {
    super(`${detail} (${code}) in "${expression.length > 80 ? `${expression.slice(0, 77)}...` : expression}"`);
  }
}

/** JSONata's code for an evaluation that ran out of time. */
const TIMEOUT_CODE = 'D1012';

/**
 * True for an evaluation that ran out of time: on a busy machine that says more about the load
 * than about the expression, so callers treat it as temporary (answer 503, retry) rather than as
 * a verdict on the data.
 */
export function isEvaluationTimeout(error: unknown): boolean {
  return error instanceof ExpressionEvaluationError && error.code === TIMEOUT_CODE;
}

/** An expression compiled once, evaluated many times within its limits. */
export interface CompiledExpression {
  readonly source: string;
  evaluate(context: ExpressionContext): Promise<unknown>;
}

/** Compiles a JSONata expression with time and depth limits. Throws {@link ExpressionSyntaxError}. */
export function compileExpression(source: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): CompiledExpression {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(source, { timeout: limits.timeoutMs, stack: limits.maxDepth });
  } catch (error) {
    const { position, message } = error as { position?: number; message?: string };
    throw new ExpressionSyntaxError(source, position ?? 0, message ?? String(error));
  }
  for (const [name, implementation, signature] of EXTRA_FUNCTIONS) compiled.registerFunction(name, implementation, signature);
  return {
    source,
    async evaluate(context: ExpressionContext): Promise<unknown> {
      try {
        return normalise(await compiled.evaluate(context));
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        throw new ExpressionEvaluationError(source, code ?? 'E0000', message ?? String(error));
      }
    },
  };
}

const HMAC_ALGORITHMS = ['sha1', 'sha256', 'sha512'];

/**
 * Functions Hookflow adds to JSONata (README, "Templates"). There is deliberately no `$env`:
 * secrets reach rules only through `${VAR}` at load time.
 */
const EXTRA_FUNCTIONS: [string, (...args: string[]) => string, string][] = [
  ['uuid', () => randomUUID(), '<:s>'],
  [
    'hmac',
    (algorithm: string, key: string, data: string) => {
      if (!HMAC_ALGORITHMS.includes(algorithm)) {
        throw new Error(`$hmac: unsupported algorithm "${algorithm}" (use ${HMAC_ALGORITHMS.join(', ')})`);
      }
      return createHmac(algorithm, key).update(data, 'utf8').digest('hex');
    },
    '<sss:s>',
  ],
];

/** JSONata marks sequences with extra properties; give callers plain JSON values. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'function') return undefined;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalise(item)]));
  }
  return value;
}

/** JSONata's own truthiness (`$boolean`): empty strings, arrays and objects, 0 and null are false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}
