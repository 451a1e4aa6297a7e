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

/** A `${VAR}` reference of a value and what it resolves to. */
export interface ResolvedVariable {
  /** As written: `${TOKEN}` or `${TOKEN:-fallback}`. */
  reference: string;
  name: string;
  value: string;
}

/**
 * Every `${VAR}` reference in the strings of a value that resolves (set, or with a fallback), with
 * its value: what to mask when a rendered value is shown to someone (a dry run).
 */
export function resolvedVariables(value: unknown, variables: Readonly<Record<string, string | undefined>>): ResolvedVariable[] {
  const found = new Map<string, ResolvedVariable>();
  const visit = (item: unknown): void => {
    if (typeof item === 'string') {
      for (const match of item.matchAll(VARIABLE_REFERENCE)) {
        const resolved = substituteVariables(match[0], variables);
        if (resolved !== match[0]) found.set(match[0], { reference: match[0], name: match[1] ?? '', value: resolved });
      }
    } else if (item !== null && typeof item === 'object') {
      for (const child of Object.values(item)) visit(child);
    }
  };
  visit(value);
  return [...found.values()];
}
