import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { DbTarget, LoadedRules, RulesCheck, RulesCheckResult, RulesProblem, substituteVariables } from '@hookflow/rules';
import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { describeError } from '../step-executor';

const CONNECT_TIMEOUT_MS = 5_000;

/** What PostgreSQL says about a table, or nothing when there is no such table. */
interface TableFacts {
  columns: string[];
  /** Each unique index without predicate or expression, as its sorted column names joined by `,`. */
  uniqueKeys: string[];
  canInsert: boolean;
  canUpdate: boolean;
}

const TABLE_FACTS_SQL = `
  SELECT ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
         ARRAY(SELECT array_to_string(ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k
                                              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k ORDER BY a.attname COLLATE "C"), ',')
                 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL) AS unique_keys,
         has_table_privilege(c.oid, 'INSERT') AS can_insert,
         has_table_privilege(c.oid, 'UPDATE') AS can_update
    FROM pg_class c WHERE c.oid = to_regclass($1)`;

/**
 * Checks every db step against its live database: the table exists, each column exists, the
 * connection's user may write, and an upsert's key has a unique index to conflict on. A database
 * that cannot be reached is a warning, not a problem: its steps retry at run time.
 */
@Injectable()
export class DbTargetsCheck implements RulesCheck {
  constructor(@Inject(HOOKFLOW_CONFIG) private readonly config: Pick<HookflowConfig, 'rules'>) {}

  async check(rules: LoadedRules): Promise<RulesCheckResult> {
    const urls = new Map(substituteVariables(rules.connections, this.config.rules.variables).map(({ id, url }) => [id, url]));
    const byConnection = new Map<string, DbTarget[]>();
    for (const target of rules.dbTargets) byConnection.set(target.connection, [...(byConnection.get(target.connection) ?? []), target]);
    const results = await Promise.all(
      [...byConnection].map(([connection, targets]) => this.checkConnection(connection, urls.get(connection), targets)),
    );
    return { problems: results.flatMap((result) => result.problems), warnings: results.flatMap((result) => result.warnings) };
  }

  private async checkConnection(connection: string, url: string | undefined, targets: DbTarget[]): Promise<RulesCheckResult> {
    if (url === undefined) return { problems: [], warnings: [] }; // an unknown connection is reported by the loader
    const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'hookflow' });
    client.on('error', () => undefined); // a dropped connection fails the query in flight, which reports it
    try {
      await client.connect();
    } catch (error) {
      return { problems: [], warnings: [`connection "${connection}": could not check its db steps' tables: ${describeError(error)}`] };
    }
    try {
      const facts = new Map<string, TableFacts | undefined>();
      const problems: RulesProblem[] = [];
      for (const target of targets) {
        if (!facts.has(target.table)) facts.set(target.table, await tableFacts(client, target.table));
        problems.push(...targetProblems(target, facts.get(target.table)));
      }
      return { problems, warnings: [] };
    } catch (error) {
      return { problems: [], warnings: [`connection "${connection}": could not check its db steps' tables: ${describeError(error)}`] };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function tableFacts(client: Client, table: string): Promise<TableFacts | undefined> {
  // Names are quoted as the db step quotes them, so `Orders` means the table "Orders", not orders.
  const quoted = table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
  const { rows } = await client.query<{ columns: string[]; unique_keys: string[]; can_insert: boolean; can_update: boolean }>(
    TABLE_FACTS_SQL,
    [quoted],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { columns: row.columns, uniqueKeys: row.unique_keys, canInsert: row.can_insert, canUpdate: row.can_update };
}

function targetProblems(target: DbTarget, facts: TableFacts | undefined): RulesProblem[] {
  const step = `step "${target.step}" of rule "${target.rule}"`;
  if (!facts) return [{ ...target.at, message: `${step}: table "${target.table}" does not exist on connection "${target.connection}"` }];
  const problems: RulesProblem[] = target.columns
    .filter((column) => !facts.columns.includes(column.name))
    .map((column) => ({ ...column.at, message: `${step}: column "${column.name}" does not exist in table "${target.table}"` }));
  const updates = target.mode === 'upsert' && target.columns.some((column) => !target.key.includes(column.name));
  if (!facts.canInsert || (updates && !facts.canUpdate)) {
    const privileges = updates ? 'INSERT and UPDATE' : 'INSERT';
    problems.push({ ...target.at, message: `${step}: connection "${target.connection}" lacks ${privileges} on table "${target.table}"` });
  }
  if (target.mode === 'upsert' && !facts.uniqueKeys.includes([...target.key].sort().join(','))) {
    problems.push({
      ...(target.keyAt ?? target.at),
      message: `${step}: upsert key (${target.key.join(', ')}) is not a unique index or primary key of table "${target.table}"`,
    });
  }
  return problems;
}
