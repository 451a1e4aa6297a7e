import { createHash } from 'node:crypto';
import { AdminAnswer, AdminClient } from '../support/admin-client';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { LogCapture } from '../support/log-capture';
import { hmacSource, httpRule, orderEvent, rulesFile, ROTATED_SECRET, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

const FIRST_SECRET = 'api-source-secret-one-5f1c9a';
const SECOND_SECRET = 'api-source-secret-two-8d2e7b';
const VARIABLE_SECRET = 'api-source-secret-from-variable-3a9f';
const ALL_SECRETS = [FIRST_SECRET, SECOND_SECRET, VARIABLE_SECRET, SECRET, ROTATED_SECRET];

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
      env: { LOG_LEVEL: 'debug', SOURCE_SECRET: VARIABLE_SECRET },
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
    expect((await admin.post('/sources', { ...hmacDefinition('broken', ['${UNSET_SECRET}']), eventType: 'payload.(' })).body).toEqual({
      error: 'validation_failed',
      message: 'the source definition is not valid',
      details: [
        { path: 'eventType', message: 'eventType: invalid JSONata at position 9: Expected ")" before end of expression' },
        { path: '', message: 'source "broken": variable ${UNSET_SECRET} is not set' },
      ],
    });
    expect((await admin.post('/sources', [])).body).toMatchObject({ details: [{ path: '', message: 'the source: must be object' }] });
    expect((await admin.get('/sources/broken')).status).toBe(404);
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
          { path: 'keepOldUntil', message: 'keepOldUntil must be a valid ISO 8601 date string' },
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
