import { CompiledExpression, compileExpression, ExpressionContext, ExpressionLimits, DEFAULT_EXPRESSION_LIMITS } from './expression';

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;
const LONE_PLACEHOLDER = /^\{\{([\s\S]*?)\}\}$/;

/** A value with `{{ expr }}` placeholders, compiled once and rendered per event. */
export interface CompiledTemplate {
  render(context: ExpressionContext): Promise<unknown>;
}

/**
 * Compiles every string leaf of a value as a template. A string that is exactly one `{{ expr }}`
 * keeps the result's type (number, object, array); otherwise results are joined as text, objects
 * as JSON. Throws ExpressionSyntaxError for a placeholder that does not parse.
 */
export function compileTemplate(value: unknown, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): CompiledTemplate {
  if (typeof value === 'string') return compileStringTemplate(value, limits);
  if (Array.isArray(value)) {
    const items = value.map((item) => compileTemplate(item, limits));
    return { render: (context) => Promise.all(items.map((item) => item.render(context))) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, compileTemplate(item, limits)] as const);
    return {
      async render(context) {
        const rendered = await Promise.all(entries.map(async ([key, item]) => [key, await item.render(context)] as const));
        return Object.fromEntries(rendered);
      },
    };
  }
  return { render: () => Promise.resolve(value) };
}

function compileStringTemplate(text: string, limits: ExpressionLimits): CompiledTemplate {
  const lone = LONE_PLACEHOLDER.exec(text);
  if (lone && !lone[1]?.includes('}}')) {
    const expression = compileExpression((lone[1] ?? '').trim(), limits);
    return { render: (context) => expression.evaluate(context) };
  }
  const parts: (string | CompiledExpression)[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(text.slice(last, index));
    parts.push(compileExpression((match[1] ?? '').trim(), limits));
    last = index + match[0].length;
  }
  if (parts.length === 0) return { render: () => Promise.resolve(text) };
  if (last < text.length) parts.push(text.slice(last));
  return {
    async render(context) {
      const pieces = await Promise.all(parts.map(async (part) => (typeof part === 'string' ? part : asText(await part.evaluate(context)))));
      return pieces.join('');
    },
  };
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}
