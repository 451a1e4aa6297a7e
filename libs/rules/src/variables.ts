/** `${VAR}`, or `${VAR:-fallback}` with a value used when VAR is unset or empty (as in a shell). */
const VARIABLE_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Names of the `${VAR}` references in a text that have no fallback. */
export function requiredVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE_REFERENCE)].filter((match) => match[2] === undefined).map((match) => match[1] ?? '');
}

/**
 * Replaces `${VAR}` references in every string of a value. Unset variables without a fallback
 * are reported through `onMissing` and left as written.
 */
export function substituteVariables<T>(
  value: T,
  variables: Readonly<Record<string, string | undefined>>,
  onMissing: (name: string) => void = () => undefined,
): T {
  if (typeof value === 'string') {
    return value.replace(VARIABLE_REFERENCE, (reference, name: string, fallback: string | undefined) => {
      const resolved = variables[name];
      if (resolved !== undefined && !(resolved === '' && fallback !== undefined)) return resolved;
      if (fallback !== undefined) return fallback;
      onMissing(name);
      return reference;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => substituteVariables(item, variables, onMissing)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteVariables(item, variables, onMissing)])) as T;
  }
  return value;
}

/**
 * The variables a definition may name, and their values. A rules file (the operator's) may name
 * any; a definition written through the admin API only those an operator exposed to it.
 */
export interface VariableScope {
  /** Values of the variables the definition may name. */
  values: Readonly<Record<string, string | undefined>>;
  /** Why `${name}` may not be named, in words that name it; undefined when it may. */
  refusal(name: string): string | undefined;
}

/** Keys and array indexes from the root of a value to one of its strings: `['steps', 0, 'url']`. */
export type ValuePath = (string | number)[];

/** A `${VAR}` reference (with or without a fallback) in one string of a value. */
export interface VariableReference {
  name: string;
  /** Where the string holding it is. */
  path: ValuePath;
}

/** Every `${VAR}` reference in the strings of a value (keys are never substituted, so not searched), in order. */
export function variableReferences(value: unknown, path: ValuePath = []): VariableReference[] {
  if (typeof value === 'string') return [...value.matchAll(VARIABLE_REFERENCE)].map((match) => ({ name: match[1] ?? '', path }));
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => variableReferences(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => variableReferences(item, [...path, key]));
  }
  return [];
}
