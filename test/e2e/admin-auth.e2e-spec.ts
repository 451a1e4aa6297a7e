import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { AdminAnswer, AdminClient } from '../support/admin-client';
import { hmacSource, rulesFile } from '../support/rule-files';
import { builtFile } from '../support/test-env';
import { TestStack } from '../support/test-stack';

/** Served without a key by design: probes, the Prometheus scraper, and the API's own description. */
const PUBLIC_PATHS = ['/healthz', '/readyz', '/metrics', '/docs', '/openapi.json'];

/**
 * The guard's rule: GET and HEAD need a read key, every other method a write key, except routes
 * marked `@RequiredScope('read')` because they change nothing. These are those exceptions: the dry
 * runs, and the bulk replay, whose controller then lets a read key only count (`dryRun`).
 */
const READ_SCOPED_WRITES = ['POST /rules/test', 'POST /rules/{id}/test', 'POST /dead-letters/replay'];

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];

/** `METHOD /path/{param}`, as the OpenAPI document names an operation. */
type Route = string;

const needsWriteKey = (route: Route): boolean => !/^(GET|HEAD) /.test(route) && !READ_SCOPED_WRITES.includes(route);

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
  it('answers 400 naming the parameter to a NUL in the id or name of a key to revoke', async () => {
    const writer = admin.withKey(await stack.createApiKey('write'));
    expect(await writer.delete('/api-keys/%00')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', details: [{ path: 'key', message: 'key must not contain the NUL character (\\u0000)' }] },
    });
    expect(await writer.delete('/api-keys/nobody')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  describe('on every route', () => {
    /** The operations of the OpenAPI document the app serves. */
    async function documentedRoutes(): Promise<Route[]> {
      const { paths } = (await admin.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
      return Object.entries(paths).flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) => HTTP_METHODS.includes(method))
          .map((method) => `${method.toUpperCase()} ${path}`),
      );
    }

    /** The routes of the app's controllers, read from Nest's own metadata, in OpenAPI form. */
    function controllerRoutes(): Route[] {
      const routes: Route[] = [];
      for (const module of stack.admin!.get(ModulesContainer).values()) {
        for (const { metatype } of module.controllers.values()) {
          if (!metatype) continue;
          const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
          const prototype = metatype.prototype as Record<string, unknown>;
          for (const name of Object.getOwnPropertyNames(prototype)) {
            const handler = prototype[name];
            if (name === 'constructor' || typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) continue;
            const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
            const path = `/${base}/${String(Reflect.getMetadata(PATH_METADATA, handler))}`
              .replace(/\/+/g, '/')
              .replace(/(.)\/$/, '$1')
              .replace(/:(\w+)/g, '{$1}');
            routes.push(`${method} ${path}`);
          }
        }
      }
      return routes;
    }

    /** Calls a route with made-up parameters: ids that name nothing, a JSON body where one is taken. */
    function call(client: AdminClient, route: Route): Promise<AdminAnswer> {
      const [method, template] = route.split(' ') as [string, string];
      const path = template
        .replace('{version}', '1')
        .replace('{fingerprint}', '000000000000')
        .replace(/\{\w+\}/g, () => randomUUID());
      return client.request(method, path, ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined);
    }

    /** `route → status` for each route whose answer `expected` refuses: a readable table of what is wrong. */
    async function mismatches(
      routes: Route[],
      client: AdminClient,
      expected: (route: Route, status: number) => boolean,
    ): Promise<string[]> {
      const wrong: string[] = [];
      for (const route of routes) {
        const { status } = await call(client, route);
        if (!expected(route, status)) wrong.push(`${route} → ${status}`);
      }
      return wrong;
    }

    it('serves the public routes without a key (and ignores a bad one), and documents none of them', async () => {
      for (const path of PUBLIC_PATHS) {
        expect({ path, status: (await admin.get(path)).status }).toEqual({ path, status: 200 });
        expect({ path, status: (await admin.withKey('hfk_not-a-key').get(path)).status }).toEqual({ path, status: 200 });
      }
      const documented = await documentedRoutes();
      expect(documented.filter((route) => PUBLIC_PATHS.some((path) => route.endsWith(` ${path}`)))).toEqual([]);
    });

    it('documents every route of the app but the public ones, so the tables below cover them all', async () => {
      const documented = new Set(await documentedRoutes());
      const routes = controllerRoutes();
      expect(routes.length).toBeGreaterThan(30);
      expect(routes.filter((route) => !documented.has(route) && !PUBLIC_PATHS.includes(route.split(' ')[1]!))).toEqual([]);
    });

    it('answers 401 unauthorized without a key, with a bad key, and with a revoked key', async () => {
      const routes = await documentedRoutes();
      const writer = admin.withKey(await stack.createApiKey('write'));
      const revoked = await stack.createApiKey('write', 'revoked-for-the-route-table');
      expect((await writer.delete('/api-keys/revoked-for-the-route-table')).status).toBe(200);

      for (const client of [
        admin.withKey(undefined),
        admin.withKey('hfk_not-a-key'),
        admin.withKey('not even the prefix'),
        admin.withKey(revoked),
      ]) {
        expect(await mismatches(routes, client, (_route, status) => status === 401)).toEqual([]);
      }
      const answer = await call(admin.withKey(revoked), routes[0]!);
      expect(answer.body).toEqual({ error: 'unauthorized', message: 'the API key is not valid or has been revoked' });
    });

    it('answers 403 to a read key on every write route, and lets it past on the read routes', async () => {
      const routes = await documentedRoutes();
      expect(routes.filter(needsWriteKey).length).toBeGreaterThan(15);
      expect(READ_SCOPED_WRITES.filter((route) => !routes.includes(route))).toEqual([]);
      const reader = admin.withKey(await stack.createApiKey('read'));

      expect(
        await mismatches(routes, reader, (route, status) => (needsWriteKey(route) ? status === 403 : status !== 401 && status !== 403)),
      ).toEqual([]);
      expect((await reader.post('/sources', {})).body).toMatchObject({
        error: 'forbidden',
        message: expect.stringContaining('needs a write key'),
      });
    });

    it('lets a write key past the guard on every route', async () => {
      const writer = admin.withKey(await stack.createApiKey('write'));
      expect(await mismatches(await documentedRoutes(), writer, (_route, status) => status !== 401 && status !== 403)).toEqual([]);
    });

    it('lets a read key count a bulk replay, but not make one', async () => {
      const reader = admin.withKey(await stack.createApiKey('read'));
      expect(await reader.post('/dead-letters/replay', { filter: {}, dryRun: true })).toMatchObject({ status: 200, body: { count: 0 } });
      expect(await reader.post('/dead-letters/replay', { filter: {} })).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: expect.stringContaining('a replay needs a write key (a dry run needs only read)') },
      });
    });
  });
});
