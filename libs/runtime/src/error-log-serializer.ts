/**
 * Fields of an error that can carry the values a statement was given: TypeORM's QueryFailedError
 * has the SQL `query` and its `parameters` (payload filters, source settings, secrets sealed or
 * not), and copies the pg error's `detail` ("Key (id)=(…)", "Failing row contains (…)"), `where`
 * and `internalQuery` onto itself and keeps them on its `driverError`.
 */
const VALUE_FIELDS = new Set(['query', 'parameters', 'detail', 'where', 'internalQuery']);

/**
 * pino's `err` serializer for every Hookflow process: the error as pino's standard serializer
 * gives it (type, message, stack, own fields), without the fields that can carry statement values,
 * at any depth (`driverError`, `cause`, aggregated errors). The SQLSTATE `code`, constraint, table
 * and column names stay, so a failed query can still be diagnosed.
 */
export function serializeErrorForLog(error: unknown): unknown {
  return withoutValueFields(error, new WeakSet());
}

function withoutValueFields(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => withoutValueFields(item, seen));
  const copy: Record<string, unknown> = {};
  // for…in, as pino's serializer reads errors: own and inherited enumerable fields.
  for (const key in value) {
    if (!VALUE_FIELDS.has(key)) copy[key] = withoutValueFields((value as Record<string, unknown>)[key], seen);
  }
  if (value instanceof Error) {
    copy.type ??= value.constructor.name;
    copy.message ??= value.message;
    copy.stack ??= value.stack;
  }
  return copy;
}
