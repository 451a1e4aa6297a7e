import { RulesDirectoryService } from '@hookflow/rules';
import { AdminClient } from '../support/admin-client';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

const ORDERS_SECRET = 'orders-secret-for-api-rules-7c3d';
const RECEIVER_TOKEN = 'receiver-token-4f8a2b9e';
/** Variables of the apps that no rule written through the API may name; YAML rules may. */
const MASTER_KEY = 'master-key-of-the-admin-rules-test-e51a07';
const PAYMENTS_SECRET = 'payments-secret-of-the-operator-2c84d1';

/** Every form a value could be computed into by an expression, so an answer can be searched for all of them. */
const disguises = (value: string): string[] => [
  value,
  value.toUpperCase(),
  Buffer.from(value).toString('base64'),
  Buffer.from(value).toString('base64url'),
  encodeURIComponent(value),
];

/** A rule as a client would POST it: `${VAR}` references stay in the stored definition. */
const apiRule = (label = 'v1'): Record<string, unknown> => ({
  id: 'api-rule',
  source: 'orders',
  events: ['order.*'],
  retry: { attempts: 2, delay: '50ms' },
  steps: [
    {
      id: 'notify',
      type: 'http',
      url: '${RECEIVER_URL}/api',
      headers: { Authorization: 'Bearer ${RECEIVER_TOKEN}' },
      body: { order: '{{ payload.id }}', label },
    },
  ],
});

/** Rules through the admin API: checked like files, versioned, run by the engine, and tried without side effects. */
describe('admin API: rules', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let admin: AdminClient;
  let reader: AdminClient;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start({
      rules: {
        'connections.yaml': 'connections:\n  - id: warehouse\n    url: "${WAREHOUSE_DATABASE_URL}"\n',
        'shop.yaml': rulesFile([hmacSource('shop')], [httpRule('yaml-rule', 'shop', [{ id: 'notify', url: 'http://127.0.0.1:9/yaml' }])]),
      },
      admin: true,
      env: (self) => ({
        WAREHOUSE_DATABASE_URL: self.databaseUrl,
        RECEIVER_URL: receiver.url,
        RECEIVER_TOKEN,
        HOOKFLOW_MASTER_KEY: MASTER_KEY,
        PAYMENTS_SECRET,
      }),
      adminEnv: { HOOKFLOW_API_VARIABLES: 'RECEIVER_*' },
      beforeStart: async (self) => {
        await self.query('CREATE TABLE order_log (id serial PRIMARY KEY, order_id text NOT NULL, note text)');
      },
    });
    admin = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
    reader = admin.withKey(await stack.createApiKey('read'));
    const source = await admin.post('/sources', {
      id: 'orders',
      provider: 'hmac',
      secrets: [ORDERS_SECRET],
      eventType: 'payload.type',
      idempotencyKey: 'payload.id',
    });
    expect(source.status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const countOf = async (table: string): Promise<number> =>
    Number((await stack.query<{ count: string }>(`SELECT count(*) FROM ${table}`))[0]?.count);

  /**
   * Delivers order events to `orders` until one is dispatched as `until` says (ingest and the engine
   * follow API changes within HOOKFLOW_CONFIG_REFRESH, 500 ms here); returns that event's runs.
   */
  async function deliverUntil(
    until: (runs: { rule_id: string; rule_version: number }[], status: string) => boolean,
  ): Promise<{ eventId: string; runs: { rule_id: string; rule_version: number }[] }> {
    return waitFor(
      async () => {
        const answer = await deliver(stack.ingestUrl, 'orders', orderEvent(), { secret: ORDERS_SECRET });
        if (answer.status !== 202) return undefined;
        const eventId = String(answer.body.eventId);
        const [event] = await waitFor(async () => {
          const rows = await stack.query<{ status: string }>('SELECT status FROM events WHERE id = $1', [eventId]);
          return rows[0]?.status === 'received' ? undefined : rows;
        });
        const runs = await stack.query<{ rule_id: string; rule_version: number }>(
          'SELECT rule_id, rule_version FROM runs WHERE event_id = $1',
          [eventId],
        );
        return until(runs, event!.status) ? { eventId, runs } : undefined;
      },
      15_000,
      'a delivery dispatched as expected',
    );
  }

  it('creates a rule that the engine runs for the next event, with ${VAR} resolved in memory only', async () => {
    const created = await admin.post('/rules', apiRule());

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 'api-rule',
      source: 'orders',
      enabled: true,
      origin: 'api',
      version: 1,
      definition: { ...apiRule(), enabled: undefined },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(created.body.definition).not.toHaveProperty('enabled');
    expect((await reader.get('/rules/api-rule')).body).toEqual(created.body);

    const { eventId, runs } = await deliverUntil((found) => found.length > 0);
    expect(runs).toEqual([{ rule_id: 'api-rule', rule_version: 1 }]);
    const request = await waitFor(() => receiver.requests.find((received) => received.url === '/api'));
    expect(request.headers.authorization).toBe(`Bearer ${RECEIVER_TOKEN}`);
    const [event] = await stack.query<{ payload: { id: string } }>('SELECT payload FROM events WHERE id = $1', [eventId]);
    expect(request.json()).toEqual({ order: event!.payload.id, label: 'v1' });
    const [stored] = await stack.query<{ definition: unknown }>("SELECT definition FROM rule_versions WHERE rule_id = 'api-rule'");
    expect(JSON.stringify(stored!.definition)).not.toContain(RECEIVER_TOKEN);
  });

  it('makes a new version for a changed definition only; runs record the version they ran', async () => {
    expect(await admin.put('/rules/api-rule', apiRule())).toMatchObject({ status: 200, body: { version: 1 } });
    const { id: _id, ...withoutId } = apiRule('v2');
    expect(await admin.put('/rules/api-rule', withoutId)).toMatchObject({ status: 200, body: { version: 2, enabled: true } });

    const versions = await reader.get('/rules/api-rule/versions');
    expect(versions.status).toBe(200);
    expect(versions.body.items.map((version: { version: number; current: boolean }) => [version.version, version.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(versions.body.nextCursor).toBeNull();
    const firstPage = await reader.get('/rules/api-rule/versions?limit=1');
    expect(firstPage.body.items).toHaveLength(1);
    const secondPage = await reader.get(`/rules/api-rule/versions?limit=1&after=${firstPage.body.nextCursor}`);
    expect(secondPage.body).toMatchObject({ items: [{ version: 1, current: false }], nextCursor: null });
    expect(await reader.get('/rules/api-rule/versions/1')).toMatchObject({
      status: 200,
      body: {
        version: 1,
        current: false,
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
        definition: { steps: [{ body: { label: 'v1' } }] },
      },
    });
    expect(await reader.get('/rules/api-rule/versions/9')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'version of rule "api-rule" "9" does not exist' },
    });

    const before = receiver.requests.length;
    const { runs } = await deliverUntil((found) => found.some((run) => run.rule_version === 2));
    expect(runs).toEqual([{ rule_id: 'api-rule', rule_version: 2 }]);
    await waitFor(() => receiver.requests.slice(before).some((request) => (request.json() as { label: string }).label === 'v2'));
  });

  it('keeps an API rule through a rules-directory reload, and refuses a directory that defines its id', async () => {
    const directory = stack.engine!.get(RulesDirectoryService);
    expect((await directory.reload('test')).status).toBe('reloaded');
    expect((await reader.get('/rules/api-rule')).body).toMatchObject({ enabled: true, origin: 'api', version: 2 });
    expect((await reader.get('/sources/orders')).body).toMatchObject({ enabled: true, origin: 'api' });

    stack.writeRules({ 'taken.yaml': `rules:\n${httpRule('api-rule', 'shop', [{ id: 'notify', url: 'http://127.0.0.1:9/taken' }])}\n` });
    const refused = await directory.reload('test');
    expect(refused).toEqual({
      status: 'rejected',
      trigger: 'test',
      problems: [
        {
          file: stack.rulesDir,
          message:
            'rule "api-rule" was created through the admin API: rename it in the file, or delete it through the API (DELETE /rules/api-rule) first',
        },
      ],
    });
    expect((await reader.get('/rules/api-rule')).body).toMatchObject({ source: 'orders', origin: 'api', version: 2 });
    stack.writeRules({ 'taken.yaml': '' });
    expect((await directory.reload('test')).status).toBe('reloaded');
  });

  it('refuses an invalid rule with the messages of a rules file, at paths in the body', async () => {
    const invalid = (details: { path: string; message: string }[]) => ({
      status: 422,
      body: { error: 'validation_failed', message: 'the rule definition is not valid', details },
    });
    expect(await admin.post('/rules', { id: 'bad', source: 'orders', retries: 3 })).toMatchObject(
      invalid([
        { path: 'steps', message: 'the rule: missing required key "steps"' },
        { path: 'retries', message: 'the rule: unknown key "retries"' },
      ]),
    );
    expect(
      await admin.post('/rules', {
        id: 'bad',
        source: 'nowhere',
        when: 'payload.total >=',
        steps: [
          { id: 'a', type: 'http', url: '${RECEIVER_UNSET_URL}', body: { total: '{{ payload.total + }}' } },
          { id: 'a', type: 'db', connection: 'warehose', table: 'order_log', values: { order_id: 'x' } },
        ],
      }),
    ).toMatchObject(
      invalid([
        { path: 'source', message: 'rule "bad" names source "nowhere", which does not exist' },
        { path: 'when', message: 'when: invalid JSONata at position 16: Unexpected end of expression' },
        {
          path: 'steps.0.body.total',
          message: 'total: template {{ payload.total + }}: invalid JSONata at position 15: Unexpected end of expression',
        },
        { path: 'steps.1.id', message: 'duplicate step id "a" in rule "bad"' },
        { path: '', message: 'rule "bad": variable ${RECEIVER_UNSET_URL} is not set' },
        {
          path: 'steps.1.connection',
          message: 'step "a" of rule "bad" names connection "warehose", which the rules directory does not define',
        },
      ]),
    );
    expect(
      await admin.post('/rules', {
        id: 'bad',
        source: 'orders',
        steps: [{ id: 'store', type: 'db', connection: 'warehouse', table: 'order_lg', values: { order_id: 'x' } }],
      }),
    ).toMatchObject(
      invalid([
        { path: 'steps.0.table', message: 'step "store" of rule "bad": table "order_lg" does not exist on connection "warehouse"' },
      ]),
    );
    expect(
      await admin.post('/rules', {
        id: 'bad',
        source: 'orders',
        steps: [{ id: 'store', type: 'db', connection: 'warehouse', table: 'order_log', values: { order_no: 'x' } }],
      }),
    ).toMatchObject(
      invalid([
        { path: 'steps.0.values.order_no', message: 'step "store" of rule "bad": column "order_no" does not exist in table "order_log"' },
      ]),
    );
    expect((await admin.get('/rules/bad')).status).toBe(404);
  });

  it('refuses a rule naming a variable not exposed by HOOKFLOW_API_VARIABLES, at the path of each field', async () => {
    const exfiltrating = {
      id: 'exfiltrate',
      source: 'orders',
      when: '"${HOOKFLOW_MASTER_KEY}" != ""',
      steps: [
        {
          id: 'send',
          type: 'http',
          url: 'http://127.0.0.1:9/collect?db={{ $base64encode("${DATABASE_URL}") }}',
          headers: { 'X-Token': '${RECEIVER_TOKEN}', 'X-Payments': 'Bearer ${PAYMENTS_SECRET:-none}' },
          body: { leaked: '${NEVER_SET_ANYWHERE}' },
        },
      ],
    };
    const answer = await admin.post('/rules', exfiltrating);

    expect(answer).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        message: 'the rule definition is not valid',
        details: [
          {
            path: 'when',
            message: "when: variable ${HOOKFLOW_MASTER_KEY} is one of Hookflow's own settings, which the admin API never resolves",
          },
          {
            path: 'steps.0.url',
            message: "steps.0.url: variable ${DATABASE_URL} is one of Hookflow's own settings, which the admin API never resolves",
          },
          {
            path: 'steps.0.headers.X-Payments',
            message:
              'steps.0.headers.X-Payments: variable ${PAYMENTS_SECRET} is not exposed to the admin API: an operator may list it in HOOKFLOW_API_VARIABLES',
          },
          {
            path: 'steps.0.body.leaked',
            message:
              'steps.0.body.leaked: variable ${NEVER_SET_ANYWHERE} is not exposed to the admin API: an operator may list it in HOOKFLOW_API_VARIABLES',
          },
        ],
      },
    });
    expect(answer.body.details).toHaveLength(4);
    expect((await admin.get('/rules/exfiltrate')).status).toBe(404);
    expect(await admin.put('/rules/api-rule', { ...apiRule(), when: '"${PAYMENTS_SECRET}" = ""' })).toMatchObject({
      status: 422,
      body: { details: [{ path: 'when' }] },
    });
    expect((await reader.get('/rules/api-rule')).body.definition.when).toBeUndefined();
  });

  it('answers 400 naming the parameter for a version, cursor, id or body it cannot take', async () => {
    const invalid = (path: string, message: string) => ({
      status: 400,
      body: { error: 'invalid_request', message: 'the request is not valid', details: [{ path, message }] },
    });
    for (const version of ['99999999999', '2147483648', '0', '-1', '1.5', 'latest']) {
      expect(await reader.get(`/rules/api-rule/versions/${version}`)).toMatchObject(
        invalid('version', 'version must be a whole number from 1 to 2147483647'),
      );
    }
    expect(await reader.get('/rules/api-rule/versions/2147483647')).toMatchObject({ status: 404, body: { error: 'not_found' } });

    const cursor = (keyset: unknown): string => Buffer.from(JSON.stringify(keyset)).toString('base64url');
    for (const version of [1e300, 2 ** 31, 0, 1.5]) {
      expect(await reader.get(`/rules/api-rule/versions?after=${cursor({ listing: 'rule-versions', version })}`)).toMatchObject(
        invalid('after', 'after must be the nextCursor of an earlier page of this same listing'),
      );
    }

    const nul = (path: string) => invalid(path, `${path} must not contain the NUL character (\\u0000)`);
    expect(await reader.get('/rules/%00')).toMatchObject(nul('id'));
    expect(await reader.get('/rules/api%00rule/versions')).toMatchObject(nul('id'));
    expect(await reader.get('/rules?source=%00')).toMatchObject(nul('source'));
    expect(await admin.delete('/rules/%00')).toMatchObject(nul('id'));
    expect(await reader.post('/rules/%00/test', { event: { payload: {} } })).toMatchObject(nul('id'));
    expect(await reader.post('/rules/api-rule/test', { event: { source: 'orders\u0000', payload: {} } })).toMatchObject(
      nul('event.source'),
    );
    expect(await admin.post('/rules', { ...apiRule(), id: 'nul', description: 'a\u0000b' })).toMatchObject(nul('description'));

    expect(await admin.post('/rules', [apiRule()])).toMatchObject(invalid('', 'the body must be a JSON object, not an array'));
    expect(await admin.post('/rules')).toMatchObject(
      invalid('', 'the body is missing: send a JSON object with content-type application/json'),
    );
    expect(await admin.put('/rules/api-rule', 'true')).toMatchObject(invalid('', 'the body must be a JSON object, not a boolean'));
    expect((await reader.get('/rules/nul')).status).toBe(404);
  });

  it('keeps rules of the rules directory read-only: every change answers 409 managed_by_yaml', async () => {
    const managed = {
      status: 409,
      body: {
        error: 'managed_by_yaml',
        message:
          'rule "yaml-rule" is defined in the rules directory (HOOKFLOW_RULES_DIR) and read-only through the API: edit its file instead',
      },
    };
    const definition = { id: 'yaml-rule', source: 'shop', steps: [{ id: 'noop', type: 'transform', expression: '1' }] };
    expect(await admin.post('/rules', definition)).toMatchObject(managed);
    expect(await admin.put('/rules/yaml-rule', definition)).toMatchObject(managed);
    expect(await admin.post('/rules/yaml-rule/pause')).toMatchObject(managed);
    expect(await admin.post('/rules/yaml-rule/resume')).toMatchObject(managed);
    expect(await admin.delete('/rules/yaml-rule')).toMatchObject(managed);
    expect(await reader.get('/rules/yaml-rule')).toMatchObject({ status: 200, body: { origin: 'yaml', enabled: true, version: 1 } });
    expect(await admin.post('/rules', { ...apiRule(), id: 'api-rule' })).toMatchObject({
      status: 409,
      body: { error: 'already_exists', message: 'rule "api-rule" already exists: change it with PUT /rules/api-rule' },
    });
    expect(await admin.put('/rules/api-rule', { ...apiRule(), id: 'other' })).toMatchObject({
      status: 422,
      body: { details: [{ path: 'id', message: 'id must be "api-rule", the id in the path (a rule cannot be renamed)' }] },
    });
    expect((await admin.put('/rules/nowhere', apiRule())).status).toBe(404);
  });

  it('hands a rule the rules directory no longer defines to the API, and takes it back if the directory defines it again first', async () => {
    const directory = stack.engine!.get(RulesDirectoryService);
    const fleeting = `rules:\n${httpRule('fleeting', 'shop', [{ id: 'notify', url: 'http://127.0.0.1:9/fleeting' }])}\n`;
    stack.writeRules({ 'fleeting.yaml': fleeting });
    expect((await directory.reload('test')).status).toBe('reloaded');
    expect((await reader.get('/rules/fleeting')).body).toMatchObject({ origin: 'yaml', enabled: true });

    stack.writeRules({ 'fleeting.yaml': '' });
    expect((await directory.reload('test')).status).toBe('reloaded');
    expect((await reader.get('/rules/fleeting')).body).toMatchObject({ origin: 'yaml-removed', enabled: false });
    expect((await reader.get('/rules?origin=yaml-removed')).body.items.map((rule: { id: string }) => rule.id)).toEqual(['fleeting']);

    stack.writeRules({ 'fleeting.yaml': fleeting });
    expect((await directory.reload('test')).status).toBe('reloaded');
    expect((await reader.get('/rules/fleeting')).body).toMatchObject({ origin: 'yaml', enabled: true, version: 1 });

    stack.writeRules({ 'fleeting.yaml': '' });
    expect((await directory.reload('test')).status).toBe('reloaded');
    expect(await admin.post('/rules/fleeting/resume')).toMatchObject({ status: 200, body: { origin: 'api', enabled: true } });
    stack.writeRules({ 'fleeting.yaml': fleeting });
    expect((await directory.reload('test')).status).toBe('rejected');

    stack.writeRules({ 'fleeting.yaml': '' });
    expect((await admin.delete('/rules/fleeting')).status).toBe(204);
    expect((await reader.get('/rules/fleeting')).status).toBe(404);
  });

  it('needs a write key to change rules, and only a read key to dry-run them', async () => {
    const forbidden = { status: 403, body: { error: 'forbidden' } };
    expect(await reader.post('/rules', { ...apiRule(), id: 'by-reader' })).toMatchObject(forbidden);
    expect(await reader.put('/rules/api-rule', apiRule())).toMatchObject(forbidden);
    expect(await reader.post('/rules/api-rule/pause')).toMatchObject(forbidden);
    expect(await reader.post('/rules/api-rule/resume')).toMatchObject(forbidden);
    expect(await reader.delete('/rules/api-rule')).toMatchObject(forbidden);
    expect((await admin.withKey(undefined).post('/rules/api-rule/test', { event: { payload: {} } })).status).toBe(401);
    expect((await reader.post('/rules/api-rule/test', { event: { payload: { type: 'order.created' } } })).status).toBe(200);
    expect((await reader.post('/rules/test', { rule: apiRule(), event: { payload: { type: 'order.created' } } })).status).toBe(200);
  });

  it('lists rules in id order with filters and cursor pagination', async () => {
    const ids = (answer: { body: { items: { id: string }[] } }): string[] => answer.body.items.map((rule) => rule.id);
    expect(ids(await reader.get('/rules'))).toEqual(['api-rule', 'yaml-rule']);
    expect(ids(await reader.get('/rules?source=orders'))).toEqual(['api-rule']);
    expect(ids(await reader.get('/rules?origin=yaml'))).toEqual(['yaml-rule']);
    expect(ids(await reader.get('/rules?enabled=false'))).toEqual([]);
    const first = await reader.get('/rules?limit=1');
    expect(first.body).toMatchObject({ items: [{ id: 'api-rule' }], nextCursor: expect.any(String) });
    expect((await reader.get(`/rules?limit=1&after=${first.body.nextCursor}`)).body).toMatchObject({
      items: [{ id: 'yaml-rule' }],
      nextCursor: null,
    });
    expect((await reader.get('/rules?enabled=maybe')).body).toMatchObject({ error: 'invalid_request', details: [{ path: 'enabled' }] });
  });

  it('pauses a rule (events then match nothing) and resumes it', async () => {
    expect(await admin.post('/rules/api-rule/pause')).toMatchObject({ status: 200, body: { enabled: false, version: 2 } });
    await deliverUntil((runs, status) => runs.length === 0 && status === 'unmatched');
    expect(await admin.post('/rules/api-rule/resume')).toMatchObject({ status: 200, body: { enabled: true } });
    await deliverUntil((runs) => runs.length === 1);
  });

  it('deletes a rule that never ran, and keeps one with runs', async () => {
    expect(await admin.post('/rules', { ...apiRule(), id: 'short-lived', events: ['never.*'] })).toMatchObject({ status: 201 });
    expect(await admin.delete('/rules/short-lived')).toMatchObject({ status: 204 });
    expect((await admin.get('/rules/short-lived')).status).toBe(404);
    expect(await stack.query("SELECT version FROM rule_versions WHERE rule_id = 'short-lived'")).toEqual([]);
    expect((await admin.delete('/rules/short-lived')).status).toBe(404);

    expect(await admin.delete('/rules/api-rule')).toMatchObject({
      status: 409,
      body: {
        error: 'rule_in_use',
        message:
          'rule "api-rule" has runs, which keep the version they ran for review and replay: pause it instead (POST /rules/api-rule/pause)',
      },
    });
  });

  it('documents every rule endpoint in the OpenAPI document', async () => {
    const { paths } = (await admin.get('/openapi.json')).body;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/rules',
        '/rules/test',
        '/rules/{id}',
        '/rules/{id}/pause',
        '/rules/{id}/resume',
        '/rules/{id}/versions',
        '/rules/{id}/versions/{version}',
        '/rules/{id}/test',
      ]),
    );
    expect(paths['/rules/{id}/test'].post.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/DryRunView',
    });
  });

  describe('dry run', () => {
    const preview = {
      id: 'preview',
      source: 'orders',
      events: ['order.*'],
      when: 'payload.total >= 100',
      steps: [
        { id: 'enrich', type: 'transform', expression: '{ "big": payload.total > 200, "id": payload.id }' },
        {
          id: 'notify',
          type: 'http',
          url: '${RECEIVER_URL}/preview',
          headers: {
            Authorization: 'Bearer ${RECEIVER_TOKEN}',
            'X-Api-Token': '${RECEIVER_TOKEN}',
            'X-Order': '{{ steps.enrich.output.id }}',
          },
          body: { big: '{{ steps.enrich.output.big }}', rule: '{{ rule.id }}' },
        },
        {
          id: 'mail',
          type: 'email',
          to: 'ops@example.com',
          subject: 'Order {{ payload.id }}',
          text: 'Receiver said {{ steps.notify.output }}',
        },
        { id: 'small-only', type: 'http', when: 'payload.total < 100', url: 'http://127.0.0.1:9/never' },
        {
          id: 'store',
          type: 'db',
          connection: 'warehouse',
          table: 'order_log',
          values: { order_id: '{{ payload.id }}', note: '{{ steps.enrich.output.big }}' },
        },
        { id: 'broken', type: 'http', url: 'http://127.0.0.1:9/{{ $error("boom") }}' },
        { id: 'after', type: 'http', url: 'http://127.0.0.1:9/after' },
      ],
    };
    const sample = { type: 'order.created', payload: { id: 'ord_dry', type: 'order.created', total: 250 } };

    it('renders every step of an unsaved rule, credentials masked, ${VAR} as written, and has no side effect', async () => {
      const [runs, events, rows, requests] = [
        await countOf('runs'),
        await countOf('events'),
        await countOf('order_log'),
        receiver.requests.length,
      ];

      const answer = await reader.post('/rules/test', { rule: preview, event: sample });

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        rule: { id: 'preview', version: null, source: 'orders' },
        event: { id: null, source: 'orders', type: 'order.created', receivedAt: expect.any(String) },
        matches: true,
        source: { matches: true, rule: 'orders', event: 'orders' },
        eventType: { matches: true, patterns: ['order.*'], event: 'order.created' },
        when: { expression: 'payload.total >= 100', value: true, truthy: true },
        steps: [
          { id: 'enrich', type: 'transform', status: 'rendered', output: { big: true, id: 'ord_dry' } },
          {
            id: 'notify',
            type: 'http',
            status: 'rendered',
            request: {
              method: 'POST',
              url: '${RECEIVER_URL}/preview',
              headers: { Authorization: '[masked]', 'X-Api-Token': '${RECEIVER_TOKEN}', 'X-Order': 'ord_dry' },
              body: { big: true, rule: 'preview' },
            },
          },
          {
            id: 'mail',
            type: 'email',
            status: 'rendered',
            input: {
              to: 'ops@example.com',
              subject: 'Order ord_dry',
              text: 'Receiver said [dry run: output of http step "notify", which is not executed]',
            },
            placeholdersFrom: ['notify'],
          },
          {
            id: 'small-only',
            type: 'http',
            status: 'skipped',
            when: { expression: 'payload.total < 100', value: false, truthy: false },
          },
          {
            id: 'store',
            type: 'db',
            status: 'rendered',
            input: { connection: 'warehouse', table: 'order_log', values: { order_id: 'ord_dry', note: true } },
          },
          {
            id: 'broken',
            type: 'http',
            status: 'failed',
            error: expect.stringMatching(/^step broken could not be rendered: boom/),
          },
          { id: 'after', type: 'http', status: 'not_reached', error: 'the run stops at failed step "broken"' },
        ],
        variables: 'not resolved in a dry run',
      });
      expect(JSON.stringify(answer.body)).not.toContain(RECEIVER_TOKEN);
      expect(JSON.stringify(answer.body)).not.toContain(receiver.url);

      await sleep(300);
      expect(receiver.requests.length).toBe(requests);
      expect([await countOf('runs'), await countOf('events'), await countOf('order_log')]).toEqual([runs, events, rows]);
      expect((await reader.get('/rules/preview')).status).toBe(404);
    });

    it('says why a rule does not match: event type, source, or what `when` gave', async () => {
      const small = await reader.post('/rules/test', { rule: preview, event: { ...sample, payload: { ...sample.payload, total: 5 } } });
      expect(small.body).toMatchObject({ matches: false, when: { value: false, truthy: false } });
      expect(small.body.steps.map((step: { status: string }) => step.status)).toEqual([
        'rendered',
        'rendered',
        'rendered',
        'rendered',
        'rendered',
        'failed',
        'not_reached',
      ]);

      const otherType = await reader.post('/rules/test', { rule: preview, event: { ...sample, type: 'refund.created' } });
      expect(otherType.body).toMatchObject({
        matches: false,
        eventType: { matches: false, patterns: ['order.*'], event: 'refund.created' },
      });

      const otherSource = await reader.post('/rules/test', { rule: preview, event: { ...sample, source: 'shop' } });
      expect(otherSource.body).toMatchObject({ matches: false, source: { matches: false, rule: 'orders', event: 'shop' } });

      const failing = await reader.post('/rules/test', { rule: { ...preview, when: '$number(payload.id) > 1' }, event: sample });
      expect(failing.body).toMatchObject({
        matches: false,
        when: { expression: '$number(payload.id) > 1', error: expect.stringContaining('D3030') },
      });
    });

    it('tries a saved rule on a sample whose type the source derives, and on a stored event', async () => {
      const derived = await reader.post('/rules/api-rule/test', { event: { payload: { id: 'ord_s', type: 'order.paid' } } });
      expect(derived.body).toMatchObject({
        variables: 'not resolved in a dry run',
        rule: { id: 'api-rule', version: 2, source: 'orders' },
        event: { id: null, source: 'orders', type: 'order.paid' },
        matches: true,
        when: null,
        steps: [
          {
            id: 'notify',
            status: 'rendered',
            request: {
              method: 'POST',
              url: '${RECEIVER_URL}/api',
              headers: { Authorization: '[masked]' },
              body: { order: 'ord_s', label: 'v2' },
            },
          },
        ],
      });

      const [stored] = await stack.query<{ id: string; payload: { id: string } }>(
        "SELECT id, payload FROM events WHERE source_id = 'orders' ORDER BY received_at LIMIT 1",
      );
      const runs = await countOf('runs');
      const fromStored = await reader.post('/rules/api-rule/test', { eventId: stored!.id });
      expect(fromStored.body).toMatchObject({
        event: { id: stored!.id, source: 'orders', type: 'order.created' },
        matches: true,
        steps: [{ request: { body: { order: stored!.payload.id } } }],
      });
      expect(await countOf('runs')).toBe(runs);
    });

    it('resolves no variable, so a read key cannot compute an exposed value into the answer', async () => {
      const probe = {
        id: 'probe',
        source: 'orders',
        when: '$uppercase("${RECEIVER_TOKEN}")',
        steps: [
          {
            id: 'encode',
            type: 'transform',
            expression: '{ "b64": $base64encode("${RECEIVER_TOKEN}"), "url": $encodeUrlComponent("${RECEIVER_URL}") }',
          },
          {
            id: 'send',
            type: 'http',
            url: 'http://127.0.0.1:9/{{ $base64encode("${RECEIVER_TOKEN}") }}',
            headers: { 'X-Shout': '{{ $uppercase("${RECEIVER_TOKEN}") }}' },
            body: { token: '${RECEIVER_TOKEN}', joined: '{{ $join(["${RECEIVER_TOKEN}", "!"]) }}' },
          },
        ],
      };
      const answer = await reader.post('/rules/test', { rule: probe, event: sample });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        variables: 'not resolved in a dry run',
        when: { value: '${RECEIVER_TOKEN}'.toUpperCase(), truthy: true },
        steps: [
          { id: 'encode', status: 'rendered', output: { b64: Buffer.from('${RECEIVER_TOKEN}').toString('base64') } },
          {
            id: 'send',
            status: 'rendered',
            request: {
              url: `http://127.0.0.1:9/${Buffer.from('${RECEIVER_TOKEN}').toString('base64')}`,
              headers: { 'X-Shout': '${RECEIVER_TOKEN}'.toUpperCase() },
              body: { token: '${RECEIVER_TOKEN}', joined: '${RECEIVER_TOKEN}!' },
            },
          },
        ],
      });
      const text = JSON.stringify(answer.body);
      for (const disguised of [...disguises(RECEIVER_TOKEN), ...disguises(receiver.url)]) expect(text).not.toContain(disguised);
    });

    it('refuses to dry-run an unsaved rule naming a Hookflow setting, and never answers its value', async () => {
      const probes = [
        { when: '"${HOOKFLOW_MASTER_KEY}"' },
        { when: '$uppercase("${HOOKFLOW_MASTER_KEY}")' },
        { steps: [{ id: 'x', type: 'transform', expression: '$base64encode("${DATABASE_URL}")' }] },
        { steps: [{ id: 'x', type: 'http', url: 'http://127.0.0.1:9/{{ $base64encode("${PAYMENTS_SECRET}") }}' }] },
      ];
      for (const change of probes) {
        const answer = await reader.post('/rules/test', { rule: { ...preview, ...change }, event: sample });
        expect(answer).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
        const text = JSON.stringify(answer.body);
        for (const disguised of [...disguises(MASTER_KEY), ...disguises(stack.databaseUrl), ...disguises(PAYMENTS_SECRET)]) {
          expect(text).not.toContain(disguised);
        }
      }
    });

    it('renders a saved rule of the rules directory with its variables as written, whatever an expression does with them', async () => {
      const directory = stack.engine!.get(RulesDirectoryService);
      stack.writeRules({
        'secret.yaml': [
          'rules:',
          '  - id: yaml-secret',
          '    source: shop',
          `    when: '$uppercase("\${PAYMENTS_SECRET}") = "\${PAYMENTS_SECRET}"'`,
          '    steps:',
          `      - { id: shout, type: transform, expression: '$base64encode("\${HOOKFLOW_MASTER_KEY}")' }`,
          `      - { id: post, type: http, url: 'http://127.0.0.1:9/{{ $uppercase("\${PAYMENTS_SECRET}") }}', headers: { X-Key: '\${PAYMENTS_SECRET}' } }`,
          '',
        ].join('\n'),
      });
      try {
        expect((await directory.reload('test')).status).toBe('reloaded');

        const answer = await reader.post('/rules/yaml-secret/test', { event: { ...sample, source: 'shop' } });

        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({
          rule: { id: 'yaml-secret', version: 1, source: 'shop' },
          // The engine compares the value with its upper case; a dry run compares the reference's text with its own.
          matches: true,
          when: { expression: '$uppercase("${PAYMENTS_SECRET}") = "${PAYMENTS_SECRET}"', value: true, truthy: true },
          steps: [
            { id: 'shout', status: 'rendered', output: Buffer.from('${HOOKFLOW_MASTER_KEY}').toString('base64') },
            {
              id: 'post',
              status: 'rendered',
              request: { url: `http://127.0.0.1:9/${'${PAYMENTS_SECRET}'.toUpperCase()}`, headers: { 'X-Key': '${PAYMENTS_SECRET}' } },
            },
          ],
          variables: 'not resolved in a dry run',
        });
        const text = JSON.stringify(answer.body);
        for (const disguised of [...disguises(MASTER_KEY), ...disguises(PAYMENTS_SECRET)]) expect(text).not.toContain(disguised);
      } finally {
        stack.writeRules({ 'secret.yaml': '' });
        await directory.reload('test');
      }
    });

    it('refuses a dry run without exactly one event, of an unknown rule or event, or of an invalid rule', async () => {
      expect(await reader.post('/rules/api-rule/test', {})).toMatchObject({
        status: 400,
        body: {
          error: 'invalid_request',
          details: [{ path: 'event', message: 'give either event (a sample) or eventId (a stored event)' }],
        },
      });
      expect((await reader.post('/rules/api-rule/test', { event: sample, eventId: '0190a8f0-0000-7000-8000-000000000000' })).status).toBe(
        400,
      );
      expect(await reader.post('/rules/api-rule/test', { eventId: 'not-a-uuid' })).toMatchObject({
        status: 400,
        body: { details: [{ path: 'eventId', message: 'eventId must be a UUID' }] },
      });
      expect(await reader.post('/rules/api-rule/test', { eventId: '0190a8f0-0000-7000-8000-000000000000' })).toMatchObject({
        status: 404,
        body: { message: 'event "0190a8f0-0000-7000-8000-000000000000" does not exist' },
      });
      expect((await reader.post('/rules/nowhere/test', { event: sample })).status).toBe(404);
      expect(await reader.post('/rules/test', { rule: { ...preview, source: '*' }, event: { payload: {} } })).toMatchObject({
        status: 400,
        body: { details: [{ path: 'event.source', message: 'event.source is required to test a rule of every source ("*")' }] },
      });
      expect(await reader.post('/rules/test', { rule: { ...preview, steps: [] }, event: sample })).toMatchObject({
        status: 422,
        body: { error: 'validation_failed', details: [{ path: 'steps', message: 'steps: must NOT have fewer than 1 items' }] },
      });
    });
  });
});
