import { spawnSync } from 'node:child_process';
import { AdminClient } from '../support/admin-client';
import { hmacSource, rulesFile } from '../support/rule-files';
import { builtFile } from '../support/test-env';
import { TestStack } from '../support/test-stack';

/** Every admin endpoint but health needs an API key of the right scope; keys come from the CLI. */
describe('admin API authentication', () => {
  let stack: TestStack;
  let admin: AdminClient;

  beforeAll(async () => {
    stack = await TestStack.start({ rules: { 'shop.yaml': rulesFile([hmacSource('shop')], []) }, engine: false, admin: true });
    admin = new AdminClient(stack.adminUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [builtFile('apps/cli/src/main.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: stack.databaseUrl },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('serves health and the OpenAPI document without a key', async () => {
    expect((await admin.get('/healthz')).status).toBe(200);
    const openapi = await admin.get('/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.info.title).toBe('Hookflow admin API');
    expect(openapi.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect((await admin.get('/docs')).status).toBe(200);
  });

  it('answers 401 with the one error body without a key, with a bad key, and with a revoked key', async () => {
    expect(await admin.get('/api-keys/self')).toMatchObject({
      status: 401,
      body: {
        error: 'unauthorized',
        message: 'send an API key as "Authorization: Bearer <key>" (create one with `hookflow apikey create`)',
      },
    });
    expect(await admin.withKey('hfk_not-a-key').get('/api-keys/self')).toMatchObject({
      status: 401,
      body: { error: 'unauthorized', message: 'the API key is not valid or has been revoked' },
    });

    const created = cli('apikey', 'create', '--name', 'soon-revoked', '--scope', 'write', '--json');
    expect(created.status).toBe(0);
    const { key, id } = JSON.parse(created.stdout) as { key: string; id: string };
    expect((await admin.withKey(key).get('/api-keys/self')).status).toBe(200);

    const revoked = cli('apikey', 'revoke', 'soon-revoked');
    expect(revoked).toMatchObject({ status: 0, stdout: `revoked API key "soon-revoked" (${id})\n` });
    expect((await admin.withKey(key).get('/api-keys/self')).status).toBe(401);
  });

  it('answers 403 to a read key on a write call, and tells who the key is', async () => {
    const created = cli('apikey', 'create', '--name', 'reader');
    expect(created.status).toBe(0);
    const key = created.stdout.split('\n')[0]!;
    expect(key).toMatch(/^hfk_[A-Za-z0-9_-]{43}$/);
    expect(created.stdout).toContain('copy it now, it is not shown again');

    const self = await admin.withKey(key).get('/api-keys/self');
    expect(self).toMatchObject({ status: 200, body: { name: 'reader', scope: 'read', prefix: key.slice(0, 10) } });
    expect(JSON.stringify(self.body)).not.toContain(key);

    const write = await admin.withKey(key).delete('/api-keys/soon-revoked');
    expect(write).toMatchObject({
      status: 403,
      body: { error: 'forbidden', message: 'the API key "reader" has scope read; this call needs a write key' },
    });
  });

  it('lists keys without their secrets or hashes, and exits 1 or 2 on bad input', () => {
    const list = cli('apikey', 'list', '--json');
    expect(list.status).toBe(0);
    const keys = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(keys.map((entry) => entry.name)).toEqual(expect.arrayContaining(['reader', 'soon-revoked']));
    expect(Object.keys(keys[0]!).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scope']);

    expect(cli('apikey', 'create', '--name', 'reader')).toMatchObject({
      status: 1,
      stderr: 'hookflow: an API key named "reader" already exists\n',
    });
    expect(cli('apikey', 'revoke', 'nobody')).toMatchObject({
      status: 1,
      stderr: 'hookflow: no active API key has the id or name "nobody"\n',
    });
    expect(cli('apikey', 'create', '--name', 'x', '--scope', 'admin').status).toBe(2);
    expect(cli('apikey', 'create').status).toBe(2);
    expect(cli('no-such-command').status).toBe(2);
  });
});
