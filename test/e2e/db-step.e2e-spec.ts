import { deliver, waitFor } from '../support/deliveries';
import { hmacSource, orderEvent, orderIdOf, SECRET } from '../support/rule-files';
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
          `        table: no_such_table
        values: { order_id: "{{ payload.id }}" }`,
        ),
      },
      env: (self) => ({ WAREHOUSE_DATABASE_URL: self.databaseUrl }),
    });
    await stack.query(
      'CREATE TABLE order_log (id serial PRIMARY KEY, order_id text NOT NULL, total numeric, note text, line text, items jsonb)',
    );
    await stack.query('CREATE TABLE order_totals (customer text PRIMARY KEY, total numeric NOT NULL)');
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

  it('dead-letters a write to a missing table at once, with cause config', async () => {
    const answer = await deliver(stack.ingestUrl, 'missing', orderEvent(), { secret: SECRET });
    const run = await waitForRun(answer.body.eventId, 'failed');

    const [deadLetter] = await stack.query<{ cause: string; step_id: string; error: string }>(
      'SELECT cause, step_id, error FROM dead_letters WHERE run_id = $1',
      [run.id],
    );
    expect(deadLetter).toMatchObject({ cause: 'config', step_id: 'record' });
    expect(deadLetter?.error).toContain('no_such_table');
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
