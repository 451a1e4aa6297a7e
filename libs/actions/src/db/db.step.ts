import type { DeadLetterCause } from '@hookflow/persistence';
import { StepExecutor, StepOutcome, stepFailure, describeError } from '../step-executor';
import { DbConnections } from './db-connections';
import { buildDbStatement, DbWrite, InvalidDbWrite } from './db-statement';

interface DbStepInput extends DbWrite {
  connection: string;
}

/** SQLSTATEs another try can get past: serialization failure, deadlock, statement timeout. */
const RETRYABLE_STATES = new Set(['40001', '40P01', '57014']);
/** SQLSTATEs that say the rule or the database set-up is wrong. */
const CONFIG_STATES = new Set(['42P01', '42703', '42501', '3D000']);

/** The `db` step: one INSERT or upsert of a row into a connection's table, values as parameters. */
export class DbStepExecutor implements StepExecutor {
  readonly type = 'db';

  constructor(private readonly connections: DbConnections) {}

  async execute(rawInput: unknown): Promise<StepOutcome> {
    let input: DbStepInput;
    let statement: { text: string; values: unknown[] };
    try {
      input = parseInput(rawInput);
      statement = buildDbStatement(input);
    } catch (error) {
      if (!(error instanceof InvalidDbWrite)) throw error;
      return stepFailure(error.message, false, 'config', null);
    }
    const summary = { connection: input.connection, table: input.table, mode: input.mode, columns: Object.keys(input.values) };
    const pool = this.connections.pool(input.connection);
    if (!pool) return stepFailure(`connection "${input.connection}" is not defined`, false, 'config', summary);
    try {
      const result = await pool.query(statement.text, statement.values);
      return {
        status: 'succeeded',
        output: { rowCount: result.rowCount ?? 0, mode: input.mode, table: input.table },
        request: summary,
        responseStatus: null,
      };
    } catch (error) {
      const { retryable, cause } = classifyDbError(error);
      return stepFailure(describeError(error), retryable, cause, summary);
    }
  }
}

/** Whether a failed query could succeed on another try, and the dead-letter cause if not. */
export function classifyDbError(error: unknown): { retryable: boolean; cause: DeadLetterCause } {
  const code = (error as { code?: unknown } | null)?.code;
  // No SQLSTATE: the server was not reached, or the connection broke or timed out.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return { retryable: true, cause: 'network' };
  if (RETRYABLE_STATES.has(code) || code.startsWith('08') || code.startsWith('57P') || code.startsWith('53')) {
    return { retryable: true, cause: 'network' };
  }
  if (CONFIG_STATES.has(code) || code.startsWith('42') || code.startsWith('28')) return { retryable: false, cause: 'config' };
  if (code.startsWith('23') || code.startsWith('22')) return { retryable: false, cause: 'destination_4xx' };
  return { retryable: true, cause: 'destination_5xx' };
}

function parseInput(raw: unknown): DbStepInput {
  const input = (raw ?? {}) as Record<string, unknown>;
  if (typeof input.connection !== 'string' || input.connection === '') throw new InvalidDbWrite('connection must be a string');
  if (typeof input.table !== 'string') throw new InvalidDbWrite('table must be a string');
  const mode = input.mode ?? 'insert';
  if (mode !== 'insert' && mode !== 'upsert') throw new InvalidDbWrite('mode must be insert or upsert');
  const key = input.key ?? [];
  if (!Array.isArray(key) || !key.every((column): column is string => typeof column === 'string')) {
    throw new InvalidDbWrite('key must be a list of column names');
  }
  const values = input.values;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new InvalidDbWrite('values must be an object');
  return { connection: input.connection, table: input.table, mode, key, values: values as Record<string, unknown> };
}
