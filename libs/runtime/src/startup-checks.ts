import { HookflowConfig, redactUrl } from '@hookflow/config';
import { MIGRATIONS } from '@hookflow/migrations';
import { redisOptions } from '@hookflow/queue';
import Redis from 'ioredis';
import { Client } from 'pg';

/** A reason the process cannot start, told in one line that names the setting to fix. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * Waits (up to HOOKFLOW_STARTUP_WAIT) for PostgreSQL and Redis to answer, then checks that every
 * migration has run. Throws {@link StartupError} naming the variable or command that fixes it.
 */
export async function assertDependenciesReady(
  config: HookflowConfig,
  check: { redis?: boolean; migrations?: boolean } = {},
): Promise<void> {
  await retryUntil(
    config.startup.waitMs,
    () => pingPostgres(config),
    (error) => `cannot reach PostgreSQL at DATABASE_URL=${redactUrl(config.database.url)}: ${describe(error)}`,
  );
  if (check.redis !== false) {
    await retryUntil(
      config.startup.waitMs,
      () => pingRedis(config),
      (error) => `cannot reach Redis at REDIS_URL=${redactUrl(config.redis.url)}: ${describe(error)}`,
    );
  }
  if (check.migrations === false) return;
  const pending = await pendingMigrations(config);
  if (pending.length > 0) {
    throw new StartupError(
      `the database schema is not up to date (pending: ${pending.join(', ')}); run \`npm run migration:run\` or start with \`npm start\``,
    );
  }
}

async function pingPostgres(config: HookflowConfig): Promise<void> {
  const client = new Client({ connectionString: config.database.url, connectionTimeoutMillis: config.database.connectTimeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pingRedis(config: HookflowConfig): Promise<void> {
  const redis = new Redis({ ...redisOptions(config.redis.url, 'producer'), lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

async function pendingMigrations(config: HookflowConfig): Promise<string[]> {
  const client = new Client({ connectionString: config.database.url, connectionTimeoutMillis: config.database.connectTimeoutMs });
  await client.connect();
  try {
    const table = await client.query<{ exists: boolean }>(`SELECT to_regclass('public.migrations') IS NOT NULL AS exists`);
    const applied = new Set(
      table.rows[0]?.exists ? (await client.query<{ name: string }>('SELECT name FROM migrations')).rows.map((row) => row.name) : [],
    );
    return MIGRATIONS.map((migration) => migration.name).filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

/** Waits between two tries at start-up: from the first to the last, doubling (many processes starting at once do not hammer a database that is coming up). */
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 2_000;

async function retryUntil(waitMs: number, attempt: () => Promise<void>, explain: (error: unknown) => string): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let pause = FIRST_RETRY_MS; ; pause = Math.min(pause * 2, LAST_RETRY_MS)) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) throw new StartupError(explain(error));
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ') || 'connection failed';
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message || (typeof code === 'string' ? code : error.name);
  }
  return String(error);
}
