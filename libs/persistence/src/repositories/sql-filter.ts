/**
 * The WHERE clause of a listing, built from optional filters. Values only ever travel as
 * parameters: a condition is written around the placeholder it is given.
 */
export class SqlFilter {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** Adds `condition(placeholder)` when `value` is given; an undefined value adds nothing. */
  where(value: unknown, condition: (placeholder: string) => string): this {
    if (value === undefined) return this;
    this.conditions.push(condition(this.param(value)));
    return this;
  }

  /** Adds a condition that needs no value of its own. */
  whereSql(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** The placeholder (`$n`) of a new parameter. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get clause(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** A timestamp as exact text (microseconds, UTC): a keyset position must not lose what a JS Date drops. */
export const exactTime = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A keyset position in a listing ordered by (time, id). `at` is exact text, as {@link exactTime} gives it. */
export interface TimePosition {
  at: string;
  id: string;
}
