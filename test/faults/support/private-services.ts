import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import Redis from 'ioredis';
import { waitFor } from '../../support/deliveries';
import { freePort } from '../../support/built-app';

const run = promisify(execFile);

/** PostgreSQL's binaries (initdb, pg_ctl); Debian's layout unless told otherwise. */
const PG_BIN = process.env.HOOKFLOW_FAULTS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = process.env.HOOKFLOW_FAULTS_REDIS_SERVER ?? 'redis-server';

/** Temp dirs of this fault run start with this, so global-teardown finds what a crashed test left. */
export function runPrefix(): string {
  return `hookflow-faults-${process.env.HOOKFLOW_FAULTS_RUN ?? process.pid}-`;
}

/** initdb and postgres refuse to run as root: as root, they run as the postgres user. */
function asPostgresUser(binary: string, args: string[]): [string, string[]] {
  const path = join(PG_BIN, binary);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

async function pg(binary: string, args: string[]): Promise<void> {
  const [command, argv] = asPostgresUser(binary, args);
  await run(command, argv, { timeout: 60_000 });
}

/**
 * A PostgreSQL cluster of the fault suite's own, in a temp dir, on a free port: stopping it hurts
 * no one else. fsync is off (nothing here survives the test); commits are still synchronous.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /**
   * A new cluster, started: a copy of `template`'s data directory (a stopped cluster, see
   * {@link stop}) when given, which is much quicker than initdb and migrations; else a fresh one.
   */
  static async create(template?: PrivatePostgres): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), `${runPrefix()}pg-`));
    if (process.getuid?.() === 0) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    const postgres = new PrivatePostgres(dir, await freePort());
    if (template) await run('cp', ['-a', template.dataDir, postgres.dataDir]);
    else await pg('initdb', ['-D', postgres.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await postgres.start();
    return postgres;
  }

  /** The cluster in `dir` (one made by {@link create} in another process, such as Jest's global setup). */
  static at(dir: string): PrivatePostgres {
    return new PrivatePostgres(dir, 0);
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300`;
    await pg('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
  }

  /** A fast shutdown: sessions are ended, transactions in flight roll back. */
  async stop(): Promise<void> {
    await pg('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  async createDatabase(name: string): Promise<void> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
  }

  async destroy(): Promise<void> {
    await stopPostgresIn(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function stopPostgresIn(dir: string): Promise<void> {
  if (!existsSync(join(dir, 'data', 'postmaster.pid'))) return;
  await pg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
}

/** A redis-server of the fault suite's own, without persistence: stopping it loses every key, as a Redis restart without AOF does. */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(mkdtempSync(join(tmpdir(), `${runPrefix()}redis-`)), await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    const child = spawn(REDIS_SERVER, [...args, '--loglevel', 'warning'], { stdio: 'ignore' });
    this.child = child;
    writeFileSync(join(this.dir, 'redis.pid'), String(child.pid));
    await waitFor(() => ping(this.url), 15_000, `redis-server on port ${this.port}`);
  }

  /** Stops it (SIGTERM, no save): every queue, job and lock is gone when it starts again. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    rmSync(join(this.dir, 'redis.pid'), { force: true });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function ping(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } finally {
    redis.disconnect();
  }
}

/** Stops and removes whatever a fault run left in its temp dirs (a test that crashed before its own cleanup). */
export async function removeLeftovers(): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(runPrefix()))) {
    const dir = join(tmpdir(), name);
    await stopPostgresIn(dir);
    const pidFile = join(dir, 'redis.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function uidOf(user: string): number {
  return Number(idField(user, 2));
}

function gidOf(user: string): number {
  return Number(idField(user, 3));
}

function idField(user: string, field: number): string {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${user}:`));
  const value = line?.split(':')[field];
  if (value === undefined) throw new Error(`no user ${user} in /etc/passwd: PostgreSQL cannot run as root without it`);
  return value;
}
