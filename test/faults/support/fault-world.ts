import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Client } from 'pg';
import { BuiltApp, freePort } from '../../support/built-app';
import { ReceiverScript, TestReceiver } from '../../support/receiver';
import { hmacSource } from '../../support/rule-files';
import { TcpProxy } from '../../support/tcp-proxy';
import { builtFile } from '../../support/test-env';
import { PrivatePostgres, PrivateRedis, runPrefix } from './private-services';

const run = promisify(execFile);

export const SOURCE = 'faults';
const DATABASE = 'hookflow';

export interface WorldOptions {
  ingests?: number;
  engines?: number;
  /** What the action receiver answers to its n-th request (default: 200 at once). */
  receiver?: ReceiverScript;
  /** Extra environment of every app. */
  env?: Record<string, string>;
}

/**
 * The settings every app of the suite runs with. The sweepers and the circuit breaker's cool-down
 * are shortened so that recovery shows within seconds; everything else is Hookflow's default.
 */
const SUITE_SETTINGS = {
  NODE_ENV: 'test',
  HOOKFLOW_REDIS_PREFIX: 'hookflow',
  HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: '127.0.0.0/8',
  HOOKFLOW_SWEEP_INTERVAL: '1s',
  HOOKFLOW_SWEEP_GRACE: '3s',
  HOOKFLOW_CONFIG_REFRESH: '1s',
  HOOKFLOW_CIRCUIT_COOLDOWN: '2s',
  HOOKFLOW_STARTUP_WAIT: '30s',
};

/**
 * One scenario's whole world, all of it private: a PostgreSQL cluster and a redis-server on free
 * ports, the built ingest and engine as real processes (each slot keeps its port across restarts),
 * an action receiver behind a TCP proxy that can be cut, and a rule with an http step (to the
 * receiver, which dedupes by Idempotency-Key) and a db step (an upsert keyed by the order).
 */
export class FaultWorld {
  readonly ingests: (BuiltApp | undefined)[] = [];
  readonly engines: (BuiltApp | undefined)[] = [];
  /** Ingest slots a load balancer would not send to (being stopped). */
  readonly drained = new Set<number>();
  private ingestPorts: number[] = [];
  private enginePorts: number[] = [];
  private readonly exitedApps: BuiltApp[] = [];

  private constructor(
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly receiver: TestReceiver,
    readonly receiverProxy: TcpProxy,
    readonly rulesDir: string,
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async start(options: WorldOptions = {}): Promise<FaultWorld> {
    const [postgres, redis, receiver] = await Promise.all([
      PrivatePostgres.create(templateCluster()),
      PrivateRedis.create(),
      TestReceiver.start(options.receiver),
    ]);
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(receiver.url).port));
    const world = new FaultWorld(postgres, redis, receiver, proxy, mkdtempSync(join(tmpdir(), `${runPrefix()}rules-`)), options.env ?? {});
    try {
      writeFileSync(join(world.rulesDir, 'faults.yaml'), rulesYaml());
      world.ingestPorts = await Promise.all(Array.from({ length: options.ingests ?? 1 }, () => freePort()));
      world.enginePorts = await Promise.all(Array.from({ length: options.engines ?? 1 }, () => freePort()));
      await Promise.all([
        ...world.ingestPorts.map((_, slot) => world.startIngest(slot)),
        ...world.enginePorts.map((_, slot) => world.startEngine(slot)),
      ]);
    } catch (error) {
      await world.close();
      throw error;
    }
    return world;
  }

  get databaseUrl(): string {
    return this.postgres.url(DATABASE);
  }

  /** The environment of every app. */
  env(): Record<string, string> {
    return {
      ...SUITE_SETTINGS,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redis.url,
      HOOKFLOW_RULES_DIR: this.rulesDir,
      WAREHOUSE_DATABASE_URL: this.databaseUrl,
      RECEIVER_URL: `http://${this.receiverProxy.address}`,
      LOG_LEVEL: process.env.HOOKFLOW_FAULTS_LOG_LEVEL ?? 'warn',
      ...this.extraEnv,
    };
  }

  /** (Re)starts the ingest of a slot, on the slot's port. */
  async startIngest(slot: number): Promise<BuiltApp> {
    this.ingests[slot] = await BuiltApp.start('ingest', this.env(), this.ingestPorts[slot]);
    this.drained.delete(slot);
    return this.ingests[slot];
  }

  /** Starts one more engine, in a new slot; returns the slot. */
  async addEngine(): Promise<number> {
    const slot = this.enginePorts.push(await freePort()) - 1;
    await this.startEngine(slot);
    return slot;
  }

  async startEngine(slot: number): Promise<BuiltApp> {
    this.engines[slot] = await BuiltApp.start('engine', this.env(), this.enginePorts[slot]);
    return this.engines[slot];
  }

  /** The ingest URLs a load balancer would send to now: every slot, unless drained. */
  ingestUrls(): string[] {
    return this.ingestPorts.filter((_, slot) => !this.drained.has(slot)).map((port) => `http://127.0.0.1:${port}`);
  }

  /** Sends `signal` to an app and forgets it (its output stays readable in `logs()`). */
  signal(app: BuiltApp | undefined, signal: NodeJS.Signals): BuiltApp {
    if (!app) throw new Error('no such app');
    app.kill(signal);
    this.exitedApps.push(app);
    return app;
  }

  /** A query on a connection of its own: the world's PostgreSQL may have been restarted since the last. */
  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** A BullMQ job as Redis holds it (its hash, and which of the queue's lists and sets name it), for reports. */
  async jobOf(queue: string, jobId: string): Promise<Record<string, unknown>> {
    const redis = new Redis(this.redis.url, { maxRetriesPerRequest: 1 });
    try {
      const key = `hookflow:${queue}`;
      const hash = await redis.hgetall(`${key}:${jobId}`);
      const where: string[] = [];
      for (const list of ['wait', 'active', 'paused']) if ((await redis.lpos(`${key}:${list}`, jobId)) !== null) where.push(list);
      for (const set of ['completed', 'failed', 'delayed', 'prioritized'])
        if ((await redis.zscore(`${key}:${set}`, jobId)) !== null) where.push(set);
      const { data: _data, ...rest } = hash;
      return { where, ...rest };
    } finally {
      redis.disconnect();
    }
  }

  /** The tail of every app's output, for a failed scenario's report. */
  logs(maxChars = 4_000): string {
    const apps = [
      ...this.ingests.map((app, slot) => [`ingest ${slot}`, app] as const),
      ...this.engines.map((app, slot) => [`engine ${slot}`, app] as const),
      ...this.exitedApps.map((app) => [`stopped app (pid ${app.pid})`, app] as const),
    ];
    return apps.map(([name, app]) => `--- ${name}\n${(app?.output ?? '').slice(-maxChars)}`).join('\n');
  }

  async close(): Promise<void> {
    const apps = [...this.ingests, ...this.engines, ...this.exitedApps].filter((app): app is BuiltApp => app !== undefined);
    await Promise.all(
      apps.map(async (app) => {
        if (!app.exited) app.kill('SIGKILL');
        await app.waitForExit();
      }),
    );
    await this.receiverProxy.down().catch(() => undefined);
    await this.receiver.close();
    if (process.env.HOOKFLOW_FAULTS_KEEP_DATABASE) {
      process.stdout.write(`[faults] kept ${this.databaseUrl} (${this.postgres.dir})\n`);
      await this.redis.destroy();
      return;
    }
    await Promise.all([this.postgres.destroy(), this.redis.destroy()]);
    rmSync(this.rulesDir, { recursive: true, force: true });
  }
}

/** Where the global setup left the template cluster (see {@link makeTemplateCluster}). */
function templateCluster(): PrivatePostgres {
  const dir = process.env.HOOKFLOW_FAULTS_PG_TEMPLATE;
  if (!dir) throw new Error('HOOKFLOW_FAULTS_PG_TEMPLATE is not set: run the fault suite through jest (npm run test:faults)');
  return PrivatePostgres.at(dir);
}

/**
 * The cluster every world copies, made once per run: the schema (migrations through the real CLI)
 * and the db step's table, which start-up checks; stopped, so that its files can be copied.
 */
export async function makeTemplateCluster(): Promise<PrivatePostgres> {
  const postgres = await PrivatePostgres.create();
  await postgres.createDatabase(DATABASE);
  const url = postgres.url(DATABASE);
  await run(process.execPath, [builtFile('apps/cli/src/main.js'), 'migrate'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'warn' },
    timeout: 60_000,
  });
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE fault_orders (
      order_id text PRIMARY KEY, event_id text NOT NULL, total numeric, writes integer NOT NULL DEFAULT 1)`);
    // Counts the upserts that found the row already there: at-least-once at work, absorbed by the key.
    await client.query(`CREATE FUNCTION fault_orders_count_writes() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN NEW.writes := OLD.writes + 1; RETURN NEW; END $$`);
    await client.query(`CREATE TRIGGER fault_orders_writes BEFORE UPDATE ON fault_orders
      FOR EACH ROW EXECUTE FUNCTION fault_orders_count_writes()`);
  } finally {
    await client.end();
  }
  await postgres.stop();
  return postgres;
}

/**
 * One source and one rule of two steps: an http call (the receiver dedupes by its Idempotency-Key)
 * and a db upsert keyed by the order. The retry policy outlasts the suite's outages (~35 s of
 * backoff ceilings); the http timeout outlasts the receiver's slowest answer.
 */
function rulesYaml(): string {
  return `connections:
  - id: warehouse
    url: "\${WAREHOUSE_DATABASE_URL}"
sources:
${hmacSource(SOURCE)}
rules:
  - id: fulfil
    source: ${SOURCE}
    events: ["order.*"]
    retry: { attempts: 12, backoff: exponential, delay: 500ms, maxDelay: 4s }
    steps:
      - id: notify
        type: http
        method: POST
        url: "\${RECEIVER_URL}/orders"
        timeout: 20s
        body: { order: "{{ payload.id }}", total: "{{ payload.total }}" }
      - id: record
        type: db
        connection: warehouse
        table: fault_orders
        mode: upsert
        key: [order_id]
        values:
          order_id: "{{ payload.id }}"
          event_id: "{{ event.id }}"
          total: "{{ payload.total }}"
`;
}
