import { createEngineApp } from '@hookflow/engine';
import { RulesDirectoryService } from '@hookflow/rules';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliver, waitFor } from '../support/deliveries';
import { hmacSource, orderEvent, orderIdOf, SECRET } from '../support/rule-files';
import { builtFile } from '../support/test-env';
import { TestStack } from '../support/test-stack';

/** A source and one rule whose db step writes to the connection `warehouse`. */
function dbRulesFile(source: string, step: string): string {
  return `sources:
${hmacSource(source)}
rules:
  - id: ${source}-record
    source: ${source}
    retry: { attempts: 3, delay: 20ms, maxDelay: 100ms }
    steps:
      - id: record
        type: db
        connection: warehouse
${step}`;
}

/** db steps end to end: a delivery becomes a row in a table of the connection's database. */
describe('ingest → engine → db step', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // The stack's own database is the warehouse: tables are made there before any event arrives.
    stack = await TestStack.start({
      rules: {
        'connections.yaml': 'connections:\n  - id: warehouse\n    url: "${WAREHOUSE_DATABASE_URL}"\n',
        'orders.yaml': dbRulesFile(
          'orders',
          `        table: public.order_log
        values:
          order_id: "{{ payload.id }}"
          total: "{{ payload.total }}"
          note: "{{ payload.note }}"
          line: "Order {{ payload.id }}: {{ payload.note }}"
          items: "{{ payload.items }}"`,
        ),
        'totals.yaml': dbRulesFile(
          'totals',
          `        table: order_totals
        mode: upsert
        key: [customer]
        values:
          customer: "{{ payload.customer }}"
          total: "{{ payload.total }}"`,
        ),
        'missing.yaml': dbRulesFile(
          'missing',
          `        table: soon_dropped
        values: { order_id: "{{ payload.id }}" }`,
        ),
      },
      env: (self) => ({ WAREHOUSE_DATABASE_URL: self.databaseUrl }),
      // Start-up checks every db step's table and columns, so they exist before the apps start.
      beforeStart: async (self) => {
        await self.query(
          'CREATE TABLE order_log (id serial PRIMARY KEY, order_id text NOT NULL, total numeric, note text, line text, items jsonb)',
        );
        await self.query('CREATE TABLE order_totals (customer text PRIMARY KEY, total numeric NOT NULL)');
        await self.query('CREATE TABLE soon_dropped (order_id text)');
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('inserts one row with the templated values, storing SQL metacharacters as data', async () => {
    const note = "'; DROP TABLE order_log; --";
    const body = orderEvent({ total: 42.5, note, items: [{ sku: 'a"b', qty: 2 }] });
    const answer = await deliver(stack.ingestUrl, 'orders', body, { secret: SECRET });
    expect(answer.status).toBe(202);

    const rows = await waitFor(async () => {
      const found = await stack.query<{ order_id: string; total: string; note: string; line: string; items: unknown }>(
        'SELECT order_id, total, note, line, items FROM order_log WHERE order_id = $1',
        [orderIdOf(body)],
      );
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toEqual([
      { order_id: orderIdOf(body), total: '42.5', note, line: `Order ${orderIdOf(body)}: ${note}`, items: [{ sku: 'a"b', qty: 2 }] },
    ]);
    const [run] = await waitFor(async () => {
      const runs = await stack.query<{ id: string; status: string }>('SELECT id, status FROM runs WHERE event_id = $1', [
        answer.body.eventId,
      ]);
      return runs[0]?.status === 'succeeded' ? runs : undefined;
    });
    const [attempt] = await stack.query<{ output: unknown }>('SELECT output FROM step_attempts WHERE run_id = $1', [run?.id]);
    expect(attempt?.output).toEqual({ rowCount: 1, mode: 'insert', table: 'public.order_log' });
  });

  it('upserts on the key: two events for one customer leave one row, updated', async () => {
    const customer = `cust_${Date.now().toString(36)}`;
    const first = await deliver(stack.ingestUrl, 'totals', orderEvent({ customer, total: 10 }), { secret: SECRET });
    await waitForRun(first.body.eventId, 'succeeded');
    const second = await deliver(stack.ingestUrl, 'totals', orderEvent({ customer, total: 99 }), { secret: SECRET });
    await waitForRun(second.body.eventId, 'succeeded');

    expect(await stack.query('SELECT customer, total FROM order_totals WHERE customer = $1', [customer])).toEqual([
      { customer, total: '99' },
    ]);
  });

  it('dead-letters a write to a table dropped after start-up at once, with cause config', async () => {
    await stack.query('DROP TABLE soon_dropped');
    const answer = await deliver(stack.ingestUrl, 'missing', orderEvent(), { secret: SECRET });
    const run = await waitForRun(answer.body.eventId, 'failed');

    const [deadLetter] = await stack.query<{ cause: string; step_id: string; error: string }>(
      'SELECT cause, step_id, error FROM dead_letters WHERE run_id = $1',
      [run.id],
    );
    expect(deadLetter).toMatchObject({ cause: 'config', step_id: 'record' });
    expect(deadLetter?.error).toContain('soon_dropped');
    const attempts = await stack.query('SELECT attempt, status FROM step_attempts WHERE run_id = $1', [run.id]);
    expect(attempts).toEqual([{ attempt: 1, status: 'failed' }]);
  });

  async function waitForRun(eventId: unknown, status: 'succeeded' | 'failed'): Promise<{ id: string }> {
    return waitFor(async () => {
      const [row] = await stack.query<{ id: string; status: string }>('SELECT id, status FROM runs WHERE event_id = $1', [eventId]);
      return row?.status === status ? row : undefined;
    });
  }
});

/** Start-up, reload and `hookflow validate` check every db step against its live database. */
describe('db step targets are checked against the database', () => {
  let stack: TestStack;
  let badDir: string;
  const goodStep = `        table: order_totals
        mode: upsert
        key: [customer]
        values: { customer: "{{ payload.customer }}", total: "{{ payload.total }}" }`;
  const badFiles = {
    'connections.yaml': `connections:
  - id: warehouse
    url: "\${WAREHOUSE_DATABASE_URL}"
  - id: offline
    url: postgres://postgres@127.0.0.1:1/nowhere
`,
    'bad.yaml': `sources:
${hmacSource('shop')}
rules:
  - id: record
    source: shop
    steps:
      - id: no-table
        type: db
        connection: warehouse
        table: public.no_such_table
        values: { order_id: "{{ payload.id }}" }
      - id: typo
        type: db
        connection: warehouse
        table: order_totals
        values:
          customer: "{{ payload.customer }}"
          totl: "{{ payload.total }}"
      - id: not-unique
        type: db
        connection: warehouse
        table: order_totals
        mode: upsert
        key: [total]
        values: { customer: "{{ payload.customer }}", total: 1 }
      - id: unreachable
        type: db
        connection: offline
        table: anything
        values: { x: 1 }
`,
  };
  const expectedProblems = [
    'bad.yaml:15:16: step "no-table" of rule "record": table "public.no_such_table" does not exist on connection "warehouse"',
    'bad.yaml:23:11: step "typo" of rule "record": column "totl" does not exist in table "order_totals"',
    'bad.yaml:29:14: step "not-unique" of rule "record": upsert key (total) is not a unique index or primary key of table "order_totals"',
  ];

  beforeAll(async () => {
    stack = await TestStack.start({
      rules: { 'connections.yaml': badFiles['connections.yaml'], 'good.yaml': dbRulesFile('shop', goodStep) },
      env: (self) => ({ WAREHOUSE_DATABASE_URL: self.databaseUrl }),
      beforeStart: async (self) => {
        await self.query('CREATE TABLE order_totals (customer text PRIMARY KEY, total numeric NOT NULL)');
      },
    });
    badDir = mkdtempSync(join(tmpdir(), 'hookflow-bad-rules-'));
    for (const [name, yaml] of Object.entries(badFiles)) writeFileSync(join(badDir, name), yaml);
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(badDir, { recursive: true, force: true });
  });

  const relativeToBadDir = (problem: string): string => problem.replace(`${badDir}/`, '');

  it('refuses to start the engine, naming each missing table, column and key at its line', async () => {
    const config = stack.config({ WAREHOUSE_DATABASE_URL: stack.databaseUrl, HOOKFLOW_RULES_DIR: badDir });

    const failure = await createEngineApp(config).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message.split('\n').map(relativeToBadDir)).toEqual(expectedProblems);
  });

  it('keeps the running rules when a reload names a missing table', async () => {
    const directory = stack.engine!.get(RulesDirectoryService);
    stack.writeRules({ 'good.yaml': badFiles['bad.yaml'] });
    try {
      const outcome = await directory.reload('test');
      expect(outcome.status).toBe('rejected');
      expect(outcome.status === 'rejected' && outcome.problems.map((problem) => problem.message)).toEqual(
        expectedProblems.map((problem) => problem.replace(/^bad\.yaml:\d+:\d+: /, '')),
      );
      expect(await stack.query('SELECT id FROM rules WHERE enabled ORDER BY id')).toEqual([{ id: 'shop-record' }]);
    } finally {
      stack.writeRules({ 'good.yaml': dbRulesFile('shop', goodStep) });
    }
  });

  it('`hookflow validate` prints the same problems and warns about a database it cannot reach', () => {
    const result = spawnSync(process.execPath, [builtFile('apps/cli/src/main.js'), 'validate', badDir], {
      env: { ...process.env, NODE_ENV: 'test', WAREHOUSE_DATABASE_URL: stack.databaseUrl },
      encoding: 'utf8',
    });

    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n').map(relativeToBadDir);
    expect(lines[0]).toMatch(/^warning: connection "offline": could not check its db steps' tables: .*ECONNREFUSED/);
    expect(lines.slice(1)).toEqual(expectedProblems);

    const offline = spawnSync(process.execPath, [builtFile('apps/cli/src/main.js'), 'validate', '--offline', badDir], {
      env: { ...process.env, NODE_ENV: 'test', WAREHOUSE_DATABASE_URL: stack.databaseUrl },
      encoding: 'utf8',
    });
    expect(offline.stdout).toBe('ok: 1 source(s), 1 rule(s)\n');
    expect(offline.status).toBe(0);
  });
});
