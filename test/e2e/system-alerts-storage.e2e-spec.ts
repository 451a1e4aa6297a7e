import { MIGRATIONS } from '@hookflow/migrations';
import { AlertSignalsRepository } from '@hookflow/persistence';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, Logger } from 'typeorm';
import { SystemEvents1795500000000 } from '../../migrations/1795500000000-SystemEvents';
import { adminQuery } from '../support/stores';
import { databaseUrl, templateDatabaseName } from '../support/test-env';

/**
 * What the alerts keep in PostgreSQL, on databases of their own: the failure-rate detector's reads
 * on a busy runs table, and the upgrade of a database where an operator had a source `hookflow`.
 */

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** Keeps every statement TypeORM sends, with its parameters, to look at their plans afterwards. */
function recordingLogger(statements: { sql: string; parameters: unknown[] }[]): Logger {
  const ignore = (): void => undefined;
  return {
    logQuery: (sql, parameters) => void statements.push({ sql, parameters: Array.isArray(parameters) ? parameters : [] }),
    logQueryError: ignore,
    logQuerySlow: ignore,
    logSchemaBuild: ignore,
    logMigration: ignore,
    log: ignore,
  };
}

describe('system alerts: failure-rate signals on a busy database', () => {
  const name = `hookflow_test_${process.pid}_${Date.now().toString(36)}_signals`;
  const statements: { sql: string; parameters: unknown[] }[] = [];
  let dataSource: DataSource;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabaseName()}"`);
    dataSource = new DataSource({ type: 'postgres', url: databaseUrl(name), logging: ['query'], logger: recordingLogger(statements) });
    await dataSource.initialize();
    await dataSource.query(
      `INSERT INTO sources (id, provider, settings, origin) VALUES ('busy', 'none', '{}', 'api'), ('flaky', 'none', '{}', 'api'), ('fine', 'none', '{}', 'api')`,
    );
    await dataSource.query(`INSERT INTO rules (id, source_id, current_version, origin) VALUES ('r', '*', 1, 'api')`);
    await dataSource.query(`INSERT INTO rule_versions (rule_id, version, definition, checksum) VALUES ('r', 1, '{}', 'c')`);
    // 20,000 events of the last 34 minutes, newest first: every 4th is flaky's (one in two of its
    // runs fails), the rest busy's (one in a hundred fails); fine's one run succeeded. The newest
    // failure of each is of event 8 (flaky) and event 1 (busy). Failures of the built-in source never count.
    await dataSource.query(
      `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, raw_body, received_at)
       SELECT gen_random_uuid(), CASE WHEN i = 0 THEN 'fine' WHEN i < 0 THEN 'hookflow' WHEN i % 4 = 0 THEN 'flaky' ELSE 'busy' END,
              'event ' || i, 't', 'dispatched', '{}', '\\x7b7d', now() - (abs(i) * interval '100 ms')
         FROM generate_series(-3, 20000) i`,
    );
    await dataSource.query(
      `INSERT INTO runs (id, event_id, rule_id, rule_version, status, error, created_at, finished_at)
       SELECT gen_random_uuid(), e.id, 'r', 1, CASE WHEN failed THEN 'failed' ELSE 'succeeded' END,
              CASE WHEN failed THEN 'failure of ' || e.idempotency_key END, e.received_at, e.received_at + interval '1 s'
         FROM events e, LATERAL (SELECT e.source_id = 'hookflow' OR (e.source_id = 'flaky' AND substr(e.idempotency_key, 7)::int % 8 = 0)
                                        OR (e.source_id = 'busy' AND substr(e.idempotency_key, 7)::int % 100 = 1) AS failed) f`,
    );
    await dataSource.query('ANALYZE events, runs');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it("counts each source's runs and shows its latest error, reading that error through the failed runs' index", async () => {
    statements.length = 0;
    const signals = await new AlertSignalsRepository(dataSource).sourceSignals(new Date(Date.now() - 3_600_000));

    expect(
      signals?.map(({ sourceId, runsSucceeded, runsFailed, lastRunError }) => ({ sourceId, runsSucceeded, runsFailed, lastRunError })),
    ).toEqual([
      { sourceId: 'busy', runsSucceeded: 14_800, runsFailed: 200, lastRunError: 'failure of event 1' },
      { sourceId: 'fine', runsSucceeded: 1, runsFailed: 0, lastRunError: null },
      { sourceId: 'flaky', runsSucceeded: 2_500, runsFailed: 2_500, lastRunError: 'failure of event 8' },
    ]);

    // The latest error is a walk down the failed runs, newest first, that stops at the source's
    // latest failure: never every failed run's error gathered and sorted on each check.
    const plans: string[] = [];
    for (const { sql, parameters } of statements.filter((statement) => /\bruns\b/.test(statement.sql))) {
      const [row] = await dataSource.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
      const nodes = row ? nodesOf(row['QUERY PLAN'][0]!.Plan) : [];
      plans.push(...nodes.map((node) => [node['Node Type'], node['Index Name'], node['Scan Direction']].filter(Boolean).join(' ')));
    }
    expect(plans).toContain('Index Scan idx_runs_failed_finished Backward');
  });
});

/** The SQL block of docs/operations.md's upgrade note for the built-in source, as an operator would paste it. */
function renameSqlOfUpgradeNote(): string {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
  const note = doc.slice(doc.indexOf('### SystemEvents'));
  const block = /```sql\n([\s\S]*?)```/.exec(note.slice(0, note.indexOf('\n### ', 1)));
  if (!block?.[1]) throw new Error('docs/operations.md: no SQL in the SystemEvents upgrade note');
  return block[1];
}

describe('system alerts: upgrading a database that has a source named hookflow', () => {
  const name = `hookflow_test_${process.pid}_${Date.now().toString(36)}_upgrade`;
  const migrate = async (migrations: typeof MIGRATIONS): Promise<string[]> => {
    const dataSource = new DataSource({
      type: 'postgres',
      url: databaseUrl(name),
      migrations,
      migrationsTableName: 'migrations',
      logging: false,
    });
    await dataSource.initialize();
    try {
      return (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  };
  let db: Client;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${name}"`);
    await migrate(MIGRATIONS.slice(0, MIGRATIONS.indexOf(SystemEvents1795500000000)));
    db = new Client({ connectionString: databaseUrl(name) });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it("stops with the way out, and the upgrade note's SQL keeps the source's history under a new id", async () => {
    // An operator's source `hookflow`, with an event, a rejection and a rule: DELETE /sources/:id refuses it.
    await db.query(`INSERT INTO sources (id, provider, settings, origin, enabled) VALUES ('hookflow', 'none', '{}', 'api', true)`);
    await db.query(
      `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, raw_body, received_at)
       VALUES ('0193a000-0000-7000-8000-000000000001', 'hookflow', 'delivery-1', 'deploy', 'dispatched', '{}', '\\x7b7d', now())`,
    );
    await db.query(
      `INSERT INTO ingest_rejections (source_id, reason, status, message) VALUES ('hookflow', 'signature_mismatch', 401, 'no')`,
    );
    await db.query(`INSERT INTO rules (id, source_id, current_version, origin) VALUES ('deploys', 'hookflow', 1, 'api')`);
    await db.query(
      `INSERT INTO rule_versions (rule_id, version, definition, checksum) VALUES ('deploys', 1, '{"source": "hookflow", "steps": []}', 'c')`,
    );

    await expect(migrate(MIGRATIONS)).rejects.toThrow(/rename it instead.*docs\/operations\.md/);
    expect((await db.query(`SELECT origin FROM sources WHERE id = 'hookflow'`)).rows).toEqual([{ origin: 'api' }]);

    await db.query(renameSqlOfUpgradeNote());
    expect(await migrate(MIGRATIONS)).toContain('SystemEvents1795500000000');
    // Pasted once too often, it refuses to touch the built-in source.
    await expect(db.query(renameSqlOfUpgradeNote())).rejects.toThrow('nothing to rename');
    await db.query('ROLLBACK');

    const rows = async (sql: string) => (await db.query(sql)).rows as unknown[];
    expect(await rows(`SELECT id, origin FROM sources ORDER BY id`)).toEqual([
      { id: 'hookflow', origin: 'system' },
      { id: 'hookflow-legacy', origin: 'api' },
    ]);
    expect(await rows(`SELECT source_id, idempotency_key FROM events`)).toEqual([
      { source_id: 'hookflow-legacy', idempotency_key: 'delivery-1' },
    ]);
    expect(await rows(`SELECT source_id FROM ingest_rejections`)).toEqual([{ source_id: 'hookflow-legacy' }]);
    expect(
      await rows(`SELECT r.source_id, v.definition ->> 'source' AS "definedFor" FROM rules r JOIN rule_versions v ON v.rule_id = r.id`),
    ).toEqual([{ source_id: 'hookflow-legacy', definedFor: 'hookflow-legacy' }]);
  });
});
