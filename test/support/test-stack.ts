import { ApiKeysService, createAdminApp } from '@hookflow/admin';
import { HookflowConfig, loadConfig } from '@hookflow/config';
import { createEngineApp } from '@hookflow/engine';
import { createIngestApp } from '@hookflow/ingest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { adminQuery, deleteRedisKeys } from './stores';
import { databaseUrl, REDIS_URL, templateDatabaseName } from './test-env';

export interface StackOptions {
  /** Contents of the rules directory: file name → YAML. */
  rules: Record<string, string>;
  /** Extra environment for both apps; a function gets the stack (for its `databaseUrl`). */
  env?: Record<string, string> | ((stack: TestStack) => Record<string, string>);
  /** Overrides for the ingest app only (a proxied DATABASE_URL or REDIS_URL, say). */
  ingestEnv?: Record<string, string>;
  /** Overrides for the admin app only (an unreachable REDIS_URL, say). */
  adminEnv?: Record<string, string>;
  /** host:port of proxies the ingest app reaches PostgreSQL and Redis through, to cut them in tests. */
  ingestVia?: { postgres?: string; redis?: string };
  /** Start the engine too (default true). */
  engine?: boolean;
  /** Start the admin API too (default false). */
  admin?: boolean;
  /** Runs on the stack's fresh database before the apps start (tables its db steps need, say). */
  beforeStart?: (stack: TestStack) => Promise<void>;
}

/**
 * The whole of Hookflow in this process, on a database cloned from the run's migrated template
 * and a Redis key prefix of its own, both removed by `close()`.
 */
export class TestStack {
  ingest?: NestFastifyApplication;
  engine?: NestFastifyApplication;
  admin?: NestFastifyApplication;

  private constructor(
    readonly databaseName: string,
    readonly redisPrefix: string,
    readonly rulesDir: string,
    readonly db: Client,
  ) {}

  static async start(options: StackOptions): Promise<TestStack> {
    const suffix = `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const databaseName = `hookflow_test_${suffix}`;
    await adminQuery(`CREATE DATABASE "${databaseName}" TEMPLATE "${templateDatabaseName()}"`);
    const db = new Client({ connectionString: databaseUrl(databaseName) });
    await db.connect();
    const rulesDir = mkdtempSync(join(tmpdir(), 'hookflow-rules-'));
    const stack = new TestStack(databaseName, `hf-test-${suffix}`, rulesDir, db);
    stack.writeRules(options.rules);
    const env = typeof options.env === 'function' ? options.env(stack) : options.env;
    try {
      await options.beforeStart?.(stack);
      const via = options.ingestVia ?? {};
      const proxied = {
        ...(via.postgres ? { DATABASE_URL: databaseUrl(databaseName).replace('127.0.0.1:5432', via.postgres) } : {}),
        ...(via.redis ? { REDIS_URL: `redis://${via.redis}` } : {}),
      };
      stack.ingest = await createIngestApp(stack.config({ ...env, ...proxied, ...options.ingestEnv }));
      await stack.ingest.listen(0, '127.0.0.1');
      if (options.engine !== false) {
        stack.engine = await createEngineApp(stack.config(env));
        await stack.engine.listen(0, '127.0.0.1');
      }
      if (options.admin) {
        stack.admin = await createAdminApp(stack.config({ ...env, ...options.adminEnv }));
        await stack.admin.listen(0, '127.0.0.1');
      }
    } catch (error) {
      await stack.close();
      throw error;
    }
    return stack;
  }

  /** The configuration an app of this stack gets, with `env` on top. */
  config(env: Record<string, string> = {}): HookflowConfig {
    return loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl(this.databaseName),
      REDIS_URL: REDIS_URL,
      HOOKFLOW_REDIS_PREFIX: this.redisPrefix,
      HOOKFLOW_RULES_DIR: this.rulesDir,
      HOOKFLOW_HOST: '127.0.0.1',
      HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: '127.0.0.0/8',
      HOOKFLOW_SWEEP_INTERVAL: '200ms',
      HOOKFLOW_SWEEP_GRACE: '300ms',
      HOOKFLOW_CONFIG_REFRESH: '500ms',
      HOOKFLOW_DB_CONNECT_TIMEOUT: '1s',
      LOG_LEVEL: process.env.HOOKFLOW_TEST_LOG_LEVEL ?? 'silent',
      ...env,
    });
  }

  /** The URL of this stack's own database, for rules that write to it (db steps). */
  get databaseUrl(): string {
    return databaseUrl(this.databaseName);
  }

  get ingestUrl(): string {
    return urlOf(this.ingest, 'ingest');
  }

  get adminUrl(): string {
    return urlOf(this.admin, 'admin');
  }

  /** A new admin API key of this stack (as `hookflow apikey create` makes one). */
  async createApiKey(scope: 'read' | 'write' = 'write', name = `test-${scope}-${Math.random().toString(36).slice(2, 8)}`): Promise<string> {
    if (!this.admin) throw new Error('start the stack with admin: true');
    return (await this.admin.get(ApiKeysService).create(name, scope)).key;
  }

  writeRules(files: Record<string, string>): void {
    for (const [name, yaml] of Object.entries(files)) writeFileSync(join(this.rulesDir, name), yaml);
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  async close(): Promise<void> {
    await this.admin?.close();
    await this.engine?.close();
    await this.ingest?.close();
    await this.db.end();
    await adminQuery(`DROP DATABASE IF EXISTS "${this.databaseName}" WITH (FORCE)`);
    await deleteRedisKeys(`${this.redisPrefix}:*`);
    rmSync(this.rulesDir, { recursive: true, force: true });
  }
}

function urlOf(app: NestFastifyApplication | undefined, name: string): string {
  const address = app?.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error(`${name} is not listening`);
  return `http://127.0.0.1:${address.port}`;
}
