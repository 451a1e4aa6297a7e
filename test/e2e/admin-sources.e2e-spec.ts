import { createHash } from 'node:crypto';
import { AdminAnswer, AdminClient } from '../support/admin-client';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { LogCapture } from '../support/log-capture';
import { hmacSource, httpRule, orderEvent, rulesFile, ROTATED_SECRET, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

const FIRST_SECRET = 'api-source-secret-one-5f1c9a';
const SECOND_SECRET = 'api-source-secret-two-8d2e7b';
const VARIABLE_SECRET = 'api-source-secret-from-variable-3a9f';
/** Variables of the admin process that no definition written through the API may name. */
const MASTER_KEY = 'master-key-of-the-admin-sources-test-6b0d4e';
const PAYMENTS_KEY = 'payments-key-never-exposed-91c2f7';
const ALL_SECRETS = [FIRST_SECRET, SECOND_SECRET, VARIABLE_SECRET, SECRET, ROTATED_SECRET, MASTER_KEY, PAYMENTS_KEY];

const fingerprint = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 12);

/** Keeps the raw text of every answer, to prove no secret was ever sent back. */
class RecordingClient extends AdminClient {
  constructor(
    baseUrl: string,
    apiKey: string | undefined,
    private readonly texts: string[],
  ) {
    super(baseUrl, apiKey);
  }

  override withKey(apiKey: string | undefined): RecordingClient {
    return new RecordingClient(this.baseUrl, apiKey, this.texts);
  }

  override async request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<AdminAnswer<T>> {
    const answer = await super.request<T>(method, path, body, headers);
    this.texts.push(JSON.stringify(answer.body) ?? '');
    return answer;
  }
}

const hmacDefinition = (id: string, secrets: string[] = [FIRST_SECRET]): Record<string, unknown> => ({
  id,
  provider: 'hmac',
  secrets,
  eventType: 'payload.type',
  idempotencyKey: 'payload.id',
});

/** Sources through the admin API: definitions checked like files, write-only secrets with rotation, YAML ones read-only. */
describe('admin API: sources', () => {
  let stack: TestStack;
  let admin: RecordingClient;
  let reader: RecordingClient;
  let logs: LogCapture;
  const answers: string[] = [];

  beforeAll(async () => {
    logs = LogCapture.start();
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile([hmacSource('shop')], [httpRule('yaml-rule', 'shop', [{ id: 'notify', url: 'http://127.0.0.1:9/x' }])]),
      },
      engine: false,
      admin: true,
      env: { LOG_LEVEL: 'debug', SOURCE_SECRET: VARIABLE_SECRET, HOOKFLOW_MASTER_KEY: MASTER_KEY, PAYMENTS_KEY },
      adminEnv: { HOOKFLOW_API_VARIABLES: 'SOURCE_*' },
    });
    admin = new RecordingClient(stack.adminUrl, await stack.createApiKey('write'), answers);
    reader = admin.withKey(await stack.createApiKey('read'));
  });

  afterAll(async () => {
    await stack?.close();
    logs?.stop();
  });

  /** Delivers until ingest (which refreshes its sources every 500 ms) gives `status`. */
  async function deliverUntil(sourceId: string, secret: string, status: number): Promise<void> {
    await waitFor(
      async () => (await deliver(stack.ingestUrl, sourceId, orderEvent(), { secret })).status === status,
      10_000,
      `a delivery to ${sourceId} answered ${status}`,
    );
  }

  it('creates a source from its rules-file definition and shows it with fingerprints instead of secrets', async () => {
    const created = await admin.post('/sources', hmacDefinition('billing', ['${SOURCE_SECRET}', FIRST_SECRET]));

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 'billing',
      provider: 'hmac',
      enabled: true,
      origin: 'api',
      settings: { eventType: 'payload.type', idempotencyKey: 'payload.id' },
      secrets: [
        { fingerprint: fingerprint(VARIABLE_SECRET), expiresAt: null },
        { fingerprint: fingerprint(FIRST_SECRET), expiresAt: null },
      ],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect((await reader.get('/sources/billing')).body).toEqual(created.body);
    const [stored] = await stack.query<{ secrets_encrypted: string; origin: string }>(
      'SELECT secrets_encrypted, origin FROM sources WHERE id = $1',
      ['billing'],
    );
    expect(stored).toEqual({ secrets_encrypted: expect.stringMatching(/^v1\./), origin: 'api' });
    expect(stored!.secrets_encrypted).not.toContain(FIRST_SECRET);
  });

  it('has ingest verify deliveries to an API source with its secrets, ${VAR} ones resolved', async () => {
    await deliverUntil('billing', VARIABLE_SECRET, 202);
    expect((await deliver(stack.ingestUrl, 'billing', orderEvent(), { secret: FIRST_SECRET })).status).toBe(202);
    expect((await deliver(stack.ingestUrl, 'billing', orderEvent(), { secret: 'not-a-secret-of-billing' })).body).toMatchObject({
      error: 'signature_mismatch',
    });
  });

  it('lists sources in id order with cursor pagination and filters', async () => {
    await admin.post('/sources', hmacDefinition('audit'));

    const first = await reader.get('/sources?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((source: { id: string }) => source.id)).toEqual(['audit', 'billing']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await reader.get(`/sources?limit=2&after=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [{ id: 'shop', origin: 'yaml' }], nextCursor: null });

    expect((await reader.get('/sources?origin=yaml')).body.items.map((source: { id: string }) => source.id)).toEqual(['shop']);
    expect((await reader.get('/sources?enabled=false')).body).toEqual({ items: [], nextCursor: null });
    expect(await reader.get('/sources?limit=501')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', details: [{ path: 'limit', message: 'limit must be from 1 to 500' }] },
    });
    expect(await reader.get('/sources?after=bm90LWEtY3Vyc29y')).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        details: [{ path: 'after', message: 'after must be the nextCursor of an earlier page of this same listing' }],
      },
    });
  });

  it('refuses an invalid definition with the messages of a rules file, at paths in the body', async () => {
    expect(await admin.post('/sources', { id: 'broken', provider: 'hmac', colour: 'blue', tolerance: 'soon' })).toEqual({
      status: 422,
      headers: expect.anything(),
      body: {
        error: 'validation_failed',
        message: 'the source definition is not valid',
        details: [
          { path: 'secrets', message: 'the source: missing required key "secrets"' },
          { path: 'colour', message: 'the source: unknown key "colour"' },
          { path: 'tolerance', message: 'tolerance: must be a duration such as 250ms, 2s, 5m or 1h' },
        ],
      },
    });
    expect((await admin.post('/sources', { ...hmacDefinition('broken', ['${SOURCE_UNSET}']), eventType: 'payload.(' })).body).toEqual({
      error: 'validation_failed',
      message: 'the source definition is not valid',
      details: [
        { path: 'eventType', message: 'eventType: invalid JSONata at position 9: Expected ")" before end of expression' },
        { path: 'secrets.0', message: 'source "broken": variable ${SOURCE_UNSET} is not set' },
      ],
    });
    expect((await admin.get('/sources/broken')).status).toBe(404);
  });

  it('resolves in secrets only the variables exposed by HOOKFLOW_API_VARIABLES, never a Hookflow setting', async () => {
    const refused = await admin.post('/sources', hmacDefinition('probe', ['${HOOKFLOW_MASTER_KEY}', '${PAYMENTS_KEY}', '${DATABASE_URL}']));

    expect(refused).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        details: [
          {
            path: 'secrets.0',
            message: "secrets.0: variable ${HOOKFLOW_MASTER_KEY} is one of Hookflow's own settings, which the admin API never resolves",
          },
          {
            path: 'secrets.1',
            message:
              'secrets.1: variable ${PAYMENTS_KEY} is not exposed to the admin API: an operator may list it in HOOKFLOW_API_VARIABLES',
          },
          {
            path: 'secrets.2',
            message: "secrets.2: variable ${DATABASE_URL} is one of Hookflow's own settings, which the admin API never resolves",
          },
        ],
      },
    });
    // Unset or set, a variable that is not exposed gets the same answer: no oracle of the environment.
    expect((await admin.post('/sources', hmacDefinition('probe', ['${NOT_SET_ANYWHERE}']))).body.details).toEqual([
      {
        path: 'secrets.0',
        message:
          'secrets.0: variable ${NOT_SET_ANYWHERE} is not exposed to the admin API: an operator may list it in HOOKFLOW_API_VARIABLES',
      },
    ]);
    expect((await admin.post('/sources', hmacDefinition('probe', ['${SOURCE_EMPTY:-}']))).body.details).toEqual([
      { path: 'secrets.0', message: 'secrets.0: must NOT have fewer than 1 characters once its variables are resolved' },
    ]);
    expect((await admin.get('/sources/probe')).status).toBe(404);
  });

  it('refuses a ${VAR} in any setting but secrets, so nothing resolved is ever stored where a read key sees it', async () => {
    const notHere = (path: string, name: string) => ({
      path,
      message: `${path}: variable \${${name}} is not resolved here: a source written through the admin API takes \${VAR} references in secrets only`,
    });
    const probe = {
      ...hmacDefinition('probe'),
      description: 'key: ${HOOKFLOW_MASTER_KEY}',
      eventType: '"${DATABASE_URL}"',
      idempotencyKey: '$uppercase("${SOURCE_SECRET}")',
      header: '${PAYMENTS_KEY}',
    };

    expect(await admin.post('/sources', probe)).toMatchObject({
      status: 422,
      body: {
        details: [
          notHere('eventType', 'DATABASE_URL'),
          notHere('idempotencyKey', 'SOURCE_SECRET'),
          notHere('description', 'HOOKFLOW_MASTER_KEY'),
          notHere('header', 'PAYMENTS_KEY'),
        ],
      },
    });
    expect((await admin.get('/sources/probe')).status).toBe(404);
    expect(await admin.put('/sources/billing', { provider: 'hmac', description: '${SOURCE_SECRET}' })).toMatchObject({
      status: 422,
      body: { details: [notHere('description', 'SOURCE_SECRET')] },
    });
    expect((await reader.get('/sources/billing')).body.settings).toEqual({ eventType: 'payload.type', idempotencyKey: 'payload.id' });
  });

  it('answers 400 invalid_request to a body that is not a JSON object, before any definition check', async () => {
    const notAnObject = (message: string) => ({
      status: 400,
      body: { error: 'invalid_request', message: 'the request is not valid', details: [{ path: '', message }] },
    });
    expect(await admin.post('/sources', [])).toMatchObject(notAnObject('the body must be a JSON object, not an array'));
    expect(await admin.post('/sources', 'null')).toMatchObject(notAnObject('the body must be a JSON object, not null'));
    expect(await admin.post('/sources')).toMatchObject(
      notAnObject('the body is missing: send a JSON object with content-type application/json'),
    );
    expect(await admin.put('/sources/billing', 42)).toMatchObject(notAnObject('the body must be a JSON object, not a number'));
    expect(await admin.put('/sources/billing', '"hmac"')).toMatchObject(notAnObject('the body must be a JSON object, not a string'));
    expect(await admin.request('POST', '/sources', '{"id":', { 'content-type': 'application/json' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
  });

  it('answers 400 naming the parameter or field that holds a NUL character, which PostgreSQL cannot store', async () => {
    const nul = (path: string) => ({
      status: 400,
      body: { error: 'invalid_request', details: [{ path, message: `${path} must not contain the NUL character (\\u0000)` }] },
    });
    expect(await admin.get('/sources/%00')).toMatchObject(nul('id'));
    expect(await admin.get('/sources/bill%00ing/health')).toMatchObject(nul('id'));
    expect(await admin.put('/sources/%00', hmacDefinition('x'))).toMatchObject(nul('id'));
    expect(await admin.post('/sources/%00/pause')).toMatchObject(nul('id'));
    expect(await admin.delete('/sources/billing/secrets/%00')).toMatchObject(nul('fingerprint'));
    expect(await admin.get('/sources?origin=%00')).toMatchObject(nul('origin'));
    expect(await admin.post('/sources', { ...hmacDefinition('nul'), description: 'a\u0000b' })).toMatchObject(nul('description'));
    expect(await admin.post('/sources', { ...hmacDefinition('nul'), secrets: ['ok', 'x\u0000'] })).toMatchObject(nul('secrets.1'));
    expect(await admin.post('/sources/billing/secrets', { secret: 's\u0000' })).toMatchObject(nul('secret'));
    expect((await admin.get('/sources/nul')).status).toBe(404);
  });

  it('refuses a keepOldUntil that is not an RFC 3339 date-time naming a real instant, without sealing anything', async () => {
    const before = (await admin.get('/sources/billing')).body.secrets;
    for (const keepOldUntil of ['2026-W01', '20260101T000000Z', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01']) {
      expect(await admin.post('/sources/billing/secrets', { secret: SECOND_SECRET, keepOldUntil })).toMatchObject({
        status: 400,
        body: {
          error: 'invalid_request',
          details: [
            { path: 'keepOldUntil', message: 'keepOldUntil must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z' },
          ],
        },
      });
    }
    expect((await admin.get('/sources/billing')).body.secrets).toEqual(before);
  });

  it('logs a 500 without the values of the statement that failed, and answers it with the request id only', async () => {
    const marker = `settings-marker-${Date.now().toString(36)}`;
    // A constraint the insert breaks: PostgreSQL's error then quotes the whole row in its detail.
    await stack.query(`ALTER TABLE sources ADD CONSTRAINT refuse_marked_settings CHECK (settings::text NOT LIKE '%${marker}%')`);
    try {
      const logged = logs.lines.length;
      const answer = await admin.post('/sources', { id: 'marked', provider: 'none', description: marker });

      expect(answer).toMatchObject({
        status: 500,
        body: {
          error: 'internal_error',
          message: expect.stringMatching(/^an unexpected error occurred; it has been logged \(request .+\)$/),
        },
      });
      expect(JSON.stringify(answer.body)).not.toContain(marker);
      const lines = logs.lines.slice(logged);
      const failure = lines.find((line) => line.includes('unexpected error while handling an admin request'));
      expect(failure).toBeDefined();
      expect(JSON.parse(failure!)).toMatchObject({
        err: {
          type: 'QueryFailedError',
          code: '23514',
          constraint: 'refuse_marked_settings',
          message: expect.stringContaining('refuse_marked_settings'),
        },
      });
      expect(JSON.stringify(JSON.parse(failure!).err)).not.toMatch(/"(parameters|query|detail)"/);
      expect(lines.filter((line) => line.includes(marker))).toEqual([]);
    } finally {
      await stack.query('ALTER TABLE sources DROP CONSTRAINT refuse_marked_settings');
    }
  });

  it('answers 409 when the id exists, and 404 for an unknown source', async () => {
    expect(await admin.post('/sources', hmacDefinition('billing'))).toMatchObject({
      status: 409,
      body: { error: 'already_exists', message: 'source "billing" already exists: change it with PUT /sources/billing' },
    });
    expect(await admin.get('/sources/nowhere')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'source "nowhere" does not exist' },
    });
    expect((await admin.put('/sources/nowhere', hmacDefinition('nowhere'))).status).toBe(404);
    expect((await admin.post('/sources/nowhere/pause')).status).toBe(404);
  });

  it('keeps sources of the rules directory read-only: every change answers 409 managed_by_yaml', async () => {
    const managed = {
      status: 409,
      body: {
        error: 'managed_by_yaml',
        message:
          'source "shop" is defined in the rules directory (HOOKFLOW_RULES_DIR) and read-only through the API: edit its file instead',
      },
    };
    expect(await admin.post('/sources', hmacDefinition('shop'))).toMatchObject(managed);
    expect(await admin.put('/sources/shop', hmacDefinition('shop'))).toMatchObject(managed);
    expect(await admin.post('/sources/shop/pause')).toMatchObject(managed);
    expect(await admin.post('/sources/shop/resume')).toMatchObject(managed);
    expect(await admin.delete('/sources/shop')).toMatchObject(managed);
    expect(await admin.post('/sources/shop/secrets', { secret: SECOND_SECRET })).toMatchObject(managed);
    expect(await admin.delete(`/sources/shop/secrets/${fingerprint(SECRET)}`)).toMatchObject(managed);
    expect((await reader.get('/sources/shop')).body).toMatchObject({ origin: 'yaml', enabled: true, secrets: [{}, {}] });
  });

  it('needs a key, and a write key to change anything', async () => {
    expect((await admin.withKey(undefined).get('/sources')).status).toBe(401);
    const forbidden = { status: 403, body: { error: 'forbidden', message: expect.stringContaining('this call needs a write key') } };
    expect(await reader.post('/sources', hmacDefinition('by-reader'))).toMatchObject(forbidden);
    expect(await reader.put('/sources/billing', hmacDefinition('billing'))).toMatchObject(forbidden);
    expect(await reader.delete('/sources/audit')).toMatchObject(forbidden);
    expect(await reader.post('/sources/billing/pause')).toMatchObject(forbidden);
    expect(await reader.post('/sources/billing/secrets', { secret: SECOND_SECRET })).toMatchObject(forbidden);
    expect(await reader.delete(`/sources/billing/secrets/${fingerprint(FIRST_SECRET)}`)).toMatchObject(forbidden);
    expect((await reader.get('/sources/by-reader')).status).toBe(404);
  });

  it('replaces a definition with PUT, keeping the stored secrets when the body has none', async () => {
    const updated = await admin.put('/sources/audit', { provider: 'hmac', eventType: 'payload.kind', description: 'audit trail' });

    expect(updated).toMatchObject({
      status: 200,
      body: {
        id: 'audit',
        settings: { eventType: 'payload.kind', description: 'audit trail' },
        secrets: [{ fingerprint: fingerprint(FIRST_SECRET) }],
      },
    });
    expect(updated.body.settings.idempotencyKey).toBeUndefined();
    const replaced = await admin.put('/sources/audit', hmacDefinition('audit', [SECOND_SECRET]));
    expect(replaced.body.secrets).toEqual([{ fingerprint: fingerprint(SECOND_SECRET), expiresAt: null }]);
    expect(await admin.put('/sources/audit', hmacDefinition('renamed'))).toMatchObject({
      status: 422,
      body: { details: [{ path: 'id', message: 'id must be "audit", the id in the path (a source cannot be renamed)' }] },
    });
    expect((await admin.put('/sources/audit', { provider: 'hmac', tolerance: -1 })).body.details).toEqual([
      { path: 'tolerance', message: 'tolerance: must be a duration such as 250ms, 2s, 5m or 1h' },
    ]);
  });

  it('pauses a source (ingest answers 404) and resumes it', async () => {
    expect(await admin.post('/sources/billing/pause')).toMatchObject({ status: 200, body: { enabled: false } });
    await deliverUntil('billing', FIRST_SECRET, 404);
    expect(await admin.post('/sources/billing/resume')).toMatchObject({ status: 200, body: { enabled: true } });
    await deliverUntil('billing', FIRST_SECRET, 202);
  });

  it('rotates secrets: the old one works until keepOldUntil, and is refused after', async () => {
    const keepOldUntil = new Date(Date.now() + 4_000);
    const rotated = await admin.post('/sources/billing/secrets', { secret: SECOND_SECRET, keepOldUntil: keepOldUntil.toISOString() });

    expect(rotated.status).toBe(201);
    expect(rotated.body.secrets).toEqual([
      { fingerprint: fingerprint(VARIABLE_SECRET), expiresAt: keepOldUntil.toISOString() },
      { fingerprint: fingerprint(FIRST_SECRET), expiresAt: keepOldUntil.toISOString() },
      { fingerprint: fingerprint(SECOND_SECRET), expiresAt: null },
    ]);
    await deliverUntil('billing', SECOND_SECRET, 202);
    expect((await deliver(stack.ingestUrl, 'billing', orderEvent(), { secret: FIRST_SECRET })).status).toBe(202);

    await sleep(Math.max(0, keepOldUntil.getTime() - Date.now()) + 100);
    expect(await deliver(stack.ingestUrl, 'billing', orderEvent(), { secret: FIRST_SECRET })).toMatchObject({
      status: 401,
      body: { error: 'signature_mismatch' },
    });
    expect((await deliver(stack.ingestUrl, 'billing', orderEvent(), { secret: SECOND_SECRET })).status).toBe(202);
  });

  it('retires the old secrets at once with a keepOldUntil in the past, and drops expired secrets', async () => {
    await admin.post('/sources/audit/secrets', { secret: FIRST_SECRET });
    await deliverUntil('audit', FIRST_SECRET, 202);

    const rotated = await admin.post('/sources/audit/secrets', { secret: VARIABLE_SECRET, keepOldUntil: '2001-01-01T00:00:00Z' });
    expect(rotated.body.secrets).toEqual([
      { fingerprint: fingerprint(SECOND_SECRET), expiresAt: '2001-01-01T00:00:00.000Z' },
      { fingerprint: fingerprint(FIRST_SECRET), expiresAt: '2001-01-01T00:00:00.000Z' },
      { fingerprint: fingerprint(VARIABLE_SECRET), expiresAt: null },
    ]);
    await deliverUntil('audit', FIRST_SECRET, 401);
    expect((await deliver(stack.ingestUrl, 'audit', orderEvent(), { secret: VARIABLE_SECRET })).status).toBe(202);

    const again = await admin.post('/sources/audit/secrets', { secret: SECOND_SECRET });
    expect(again.body.secrets).toEqual([
      { fingerprint: fingerprint(VARIABLE_SECRET), expiresAt: null },
      { fingerprint: fingerprint(SECOND_SECRET), expiresAt: null },
    ]);
  });

  it('refuses a secret the source already has, and a malformed rotation', async () => {
    expect(await admin.post('/sources/audit/secrets', { secret: SECOND_SECRET })).toMatchObject({
      status: 409,
      body: { error: 'secret_exists', message: `source "audit" already has this secret (fingerprint ${fingerprint(SECOND_SECRET)})` },
    });
    expect(await admin.post('/sources/audit/secrets', { secret: '', keepOldUntil: 'tomorrow', extra: 1 })).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        details: expect.arrayContaining([
          { path: 'extra', message: 'property extra should not exist' },
          { path: 'secret', message: 'secret must be longer than or equal to 1 characters' },
          { path: 'keepOldUntil', message: 'keepOldUntil must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z' },
        ]),
      },
    });
  });

  it('removes a secret by fingerprint, but never the last one a source accepts', async () => {
    const removed = await admin.delete(`/sources/audit/secrets/${fingerprint(VARIABLE_SECRET)}`);
    expect(removed).toMatchObject({ status: 200, body: { secrets: [{ fingerprint: fingerprint(SECOND_SECRET), expiresAt: null }] } });
    await deliverUntil('audit', VARIABLE_SECRET, 401);

    expect(await admin.delete(`/sources/audit/secrets/${fingerprint(SECOND_SECRET)}`)).toMatchObject({
      status: 409,
      body: {
        error: 'last_secret',
        message:
          'source "audit" (provider hmac) needs a secret it accepts: add the new one (POST /sources/audit/secrets) before removing this one',
      },
    });
    expect(await admin.delete('/sources/audit/secrets/000000000000')).toMatchObject({
      status: 404,
      body: { message: 'secret of source "audit" with fingerprint "000000000000" does not exist' },
    });
  });

  it('deletes an unused source, but keeps one that received events or that a rule names', async () => {
    expect(await admin.post('/sources', { id: 'scratch', provider: 'none' })).toMatchObject({ status: 201, body: { secrets: [] } });
    expect(await admin.post('/sources/scratch/secrets', { secret: SECOND_SECRET })).toMatchObject({
      status: 422,
      body: { details: [{ path: 'secret', message: 'source "scratch" has provider none, which verifies nothing: it takes no secrets' }] },
    });
    expect(await admin.delete('/sources/scratch')).toMatchObject({ status: 204 });
    expect((await admin.get('/sources/scratch')).status).toBe(404);
    expect((await admin.delete('/sources/scratch')).status).toBe(404);

    expect(await admin.delete('/sources/billing')).toMatchObject({
      status: 409,
      body: {
        error: 'source_in_use',
        message:
          'source "billing" has received events, which are kept for review and replay: pause it instead (POST /sources/billing/pause)',
      },
    });

    await admin.post('/sources', { id: 'named', provider: 'none' });
    await admin.post('/rules', { id: 'uses-named', source: 'named', steps: [{ id: 'log', type: 'transform', expression: 'payload' }] });
    expect(await admin.delete('/sources/named')).toMatchObject({
      status: 409,
      body: {
        error: 'source_in_use',
        message: 'source "named" is named by rule(s) "uses-named": delete them or change their source first',
      },
    });
  });

  it('documents every source endpoint in the OpenAPI document', async () => {
    const { paths } = (await admin.get('/openapi.json')).body;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/sources',
        '/sources/{id}',
        '/sources/{id}/pause',
        '/sources/{id}/resume',
        '/sources/{id}/secrets',
        '/sources/{id}/secrets/{fingerprint}',
      ]),
    );
    expect(paths['/sources'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/SourceDefinitionDto',
    });
  });

  it('never returns a secret in any answer, nor writes one to any log line', () => {
    expect(answers.length).toBeGreaterThan(50);
    const logLines = logs.lines;
    expect(logLines.length).toBeGreaterThan(20);
    for (const secret of ALL_SECRETS) {
      expect(answers.filter((text) => text.includes(secret))).toEqual([]);
      expect(logLines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
