/** A table or column name as rule files may write it; anything else is refused, never escaped. */
const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export type DbWriteMode = 'insert' | 'upsert';

/** What a db step writes, after rendering. */
export interface DbWrite {
  table: string;
  mode: DbWriteMode;
  key: string[];
  values: Record<string, unknown>;
}

export interface DbStatement {
  text: string;
  values: unknown[];
}

export class InvalidDbWrite extends Error {}

/**
 * Builds the INSERT (or INSERT … ON CONFLICT … DO UPDATE) of one row. Identifiers are checked
 * and double-quoted; every value is a parameter, so nothing a payload holds becomes SQL.
 */
export function buildDbStatement(write: DbWrite): DbStatement {
  const table = write.table.split('.');
  if (table.length > 2) throw new InvalidDbWrite(`table "${write.table}" must be table or schema.table`);
  const columns = Object.keys(write.values);
  if (columns.length === 0) throw new InvalidDbWrite('values must name at least one column');
  const quotedTable = table.map((part) => quoteIdentifier(part, 'table')).join('.');
  const quotedColumns = columns.map((column) => quoteIdentifier(column, 'column'));
  const placeholders = columns.map((_, index) => `$${index + 1}`);
  let text = `INSERT INTO ${quotedTable} (${quotedColumns.join(', ')}) VALUES (${placeholders.join(', ')})`;
  if (write.mode === 'upsert') text += ` ${onConflict(write.key, columns)}`;
  return { text, values: columns.map((column) => toParameter(write.values[column])) };
}

function onConflict(key: string[], columns: string[]): string {
  if (key.length === 0) throw new InvalidDbWrite('upsert needs a key');
  const missing = key.filter((column) => !columns.includes(column));
  if (missing.length > 0) throw new InvalidDbWrite(`key column ${missing.map((c) => `"${c}"`).join(', ')} has no value`);
  const conflict = key.map((column) => quoteIdentifier(column, 'key column')).join(', ');
  const updated = columns.filter((column) => !key.includes(column)).map((column) => quoteIdentifier(column, 'column'));
  if (updated.length === 0) return `ON CONFLICT (${conflict}) DO NOTHING`;
  return `ON CONFLICT (${conflict}) DO UPDATE SET ${updated.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`;
}

function quoteIdentifier(name: string, kind: string): string {
  if (!SQL_IDENTIFIER.test(name)) throw new InvalidDbWrite(`${kind} "${name}" is not a valid identifier`);
  return `"${name}"`;
}

/** Objects and arrays go as JSON text, which json and jsonb columns accept; the rest keep their type. */
function toParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value);
  return value;
}
