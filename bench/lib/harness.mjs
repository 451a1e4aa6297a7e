// Shared by bench/ingest.mjs, bench/e2e.mjs and bench/soak.mjs: clean-up, a private database and
// Redis prefix, the built apps as child processes, a receiver, a load generator (undici Pool),
// percentiles, CPU profile summaries and the results file. Everything stays on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setTimeout as timer } from 'node:timers';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Pool } = require('undici');
const Redis = require('ioredis');
const { Client } = require('pg');

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';
/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes of one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

export const fmt = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';
export const mib = (bytes) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;

/**
 * The run's private database, Redis prefix, temp dir, clean-up list, signal handling and deadline.
 * Each clean-up step runs even when an earlier one fails, last registered first.
 */
export function createHarness(name, timeoutSeconds) {
  const log = (message) => process.stderr.write(`bench:${name}: ${message}\n`);
  const cleanups = [];
  const database = `hookflow_bench_${process.pid}`;
  const prefix = `hf-bench-${process.pid}`;
  const deadline = Date.now() + timeoutSeconds * 1_000;
  const tmp = mkdtempSync(join(tmpdir(), `hookflow-bench-${name}-`));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  let cleaning;
  const cleanUp = () => {
    cleaning ??= (async () => {
      for (const step of cleanups.reverse()) {
        try {
          await Promise.race([step(), sleep(20_000).then(() => Promise.reject(new Error('timed out after 20 s')))]);
        } catch (error) {
          log(`clean-up step failed: ${error.message}`);
        }
      }
    })();
    return cleaning;
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  timer(
    () => {
      log(`still running ${timeoutSeconds + 30} s after start: cleaning up and exiting`);
      void cleanUp().finally(() => process.exit(1));
    },
    (timeoutSeconds + 30) * 1_000,
  ).unref();

  const checkDeadline = (what) => {
    if (Date.now() > deadline) throw new Error(`timed out during ${what} (the run's limit is ${timeoutSeconds} s)`);
  };
  return {
    log,
    cleanups,
    cleanUp,
    database,
    prefix,
    tmp,
    deadline,
    checkDeadline,
    databaseUrl: `postgres://postgres@127.0.0.1:5432/${database}`,
    /** Creates the database and registers its removal and that of the Redis keys; migrates it. */
    async prepareStores() {
      await adminQuery(`CREATE DATABASE "${database}"`);
      cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
      cleanups.push(() => deleteRedisKeys(prefix));
      execFileSync(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'migrate'], {
        cwd: ROOT,
        env: { ...baseEnv(), DATABASE_URL: this.databaseUrl, REDIS_URL, HOOKFLOW_REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    },
    async until(what, check, pollMs = 100) {
      for (;;) {
        const done = await check();
        if (done) return done;
        checkDeadline(`waiting for ${what}`);
        await sleep(pollMs);
      }
    },
  };
}

export async function adminQuery(sql, url = ADMIN_URL) {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    return await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export async function deleteRedisKeys(prefix) {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Only what a process needs from this environment: no OTEL_* (tracing off, as by default), no stray HOOKFLOW_*. */
function baseEnv() {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(keep.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]]));
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts a built app (`dist/apps/<app>/src/main.js`) as its own process, as in production
 * (NODE_ENV=production, its default log level unless BENCH_LOG_LEVEL), and waits for its /healthz.
 * With `profileDir`, it runs under `node --cpu-prof` and is stopped with SIGUSR2 (a preloaded handler
 * exits at once so that the profile is written; the graceful SIGTERM path re-raises the signal, which
 * would end the process before Node writes it).
 */
/**
 * Starts a built app. `profileDir`: CPU-profile it (--cpu-prof). `heapFile`: every 5 s the app runs a
 * full garbage collection and writes its heap used to that file (a bench-only preload with
 * --expose-gc), which tells a leak from V8 merely sizing its heap; read it with {@link heapAfterGc}.
 */
export async function startApp(harness, app, portVariable, extraEnv, { profileDir, heapFile } = {}) {
  const port = await freePort();
  const env = {
    ...baseEnv(),
    NODE_ENV: 'production',
    HOOKFLOW_MASTER_KEY: 'bench-master-key-0123456789abcdef0123',
    DATABASE_URL: harness.databaseUrl,
    REDIS_URL,
    HOOKFLOW_REDIS_PREFIX: harness.prefix,
    HOOKFLOW_HOST: '127.0.0.1',
    HOOKFLOW_RULES_WATCH: 'false',
    // The closed loops drive one source far past the default limit (1,000/s): a limit no bench
    // reaches keeps the limiter's Redis call in the measured path without refusing anything.
    HOOKFLOW_RATE_LIMIT_PER_SECOND: '1000000',
    HOOKFLOW_RATE_LIMIT_BURST: '10000000',
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
    ...extraEnv,
    [portVariable]: String(port),
  };
  const args = [];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    const preload = join(harness.tmp, 'exit-on-sigusr2.cjs');
    writeFileSync(preload, "process.on('SIGUSR2', () => process.exit(0));\n");
    args.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--require', preload);
  }
  if (heapFile) {
    const preload = join(harness.tmp, 'heap-after-gc.cjs');
    writeFileSync(
      preload,
      `const { writeFileSync } = require('node:fs');
setInterval(() => { globalThis.gc(); writeFileSync(${JSON.stringify(heapFile)}, String(process.memoryUsage().heapUsed)); }, 5000).unref();
`,
    );
    args.push('--expose-gc', '--require', preload);
  }
  args.push(join(ROOT, `dist/apps/${app}/src/main.js`));
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data) => {
    stderr = (stderr + data).slice(-4_000);
  });
  let exited = false;
  const exit = new Promise((resolveExit) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolveExit({ code, signal });
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill(profileDir ? 'SIGUSR2' : 'SIGTERM');
    const done = await Promise.race([exit, sleep(15_000).then(() => undefined)]);
    if (!done) {
      harness.log(`${app} did not stop within 15 s: SIGKILL`);
      child.kill('SIGKILL');
      await exit;
    }
  };
  harness.cleanups.push(stop);
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (exited) throw new Error(`${app} exited during start-up: ${stderr.trim()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) throw new Error(`${app} not healthy after 60 s: ${stderr.trim()}`);
    await sleep(100);
  }
  return { app, pid: child.pid, url, stop, stderr: () => stderr };
}

/** A small node:http script in a child process of its own, reporting its port on stdout. */
export async function startScript(harness, name, code) {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  harness.cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exit = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.stdin.end();
    child.kill();
    await Promise.race([exit, sleep(5_000)]);
  });
  const port = await new Promise((resolvePort, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.stdout.once('data', (data) => resolvePort(Number(String(data).trim())));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid };
}

/** The baseline of bench:ingest: reads the whole body, JSON-parses it, answers 202 with a small JSON body. */
export const BARE_SERVER = `
  const http = require('node:http');
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(202, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ eventId: String(payload.id) }));
      } catch {
        response.writeHead(400);
        response.end();
      }
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
  process.stdin.on('end', () => process.exit(0)).resume();
`;

/**
 * The action receiver of bench:e2e and bench:soak: for each POST, the time since the \`sentAt\` the
 * sender put in the payload (carried into the step's body by the rule), by path.
 * GET /stats returns and (with ?reset=1) clears them.
 */
export const RECEIVER = `
  const http = require('node:http');
  const { performance } = require('node:perf_hooks');
  const now = () => performance.timeOrigin + performance.now();
  let stats = {};
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/count') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end(JSON.stringify(Object.fromEntries(Object.entries(stats).map(([path, entry]) => [path, entry.count]))));
    }
    if (request.method === 'GET' && request.url.startsWith('/stats')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(stats));
      if (request.url.includes('reset=1')) stats = {};
      return;
    }
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const at = now();
      let sentAt = NaN;
      try { sentAt = Number(JSON.parse(Buffer.concat(chunks).toString('utf8')).sentAt); } catch {}
      const path = request.url;
      const entry = (stats[path] ??= { count: 0, latencies: [], receivedAt: [] });
      entry.count += 1;
      entry.latencies.push(at - sentAt);
      entry.receivedAt.push(at);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
  process.stdin.on('end', () => process.exit(0)).resume();
`;

/** Receipts so far by path. */
export async function receiverCounts(receiver) {
  const response = await fetch(`${receiver.url}/count`);
  return response.json();
}

export async function receiverStats(receiver, reset = false) {
  const response = await fetch(`${receiver.url}/stats${reset ? '?reset=1' : ''}`);
  return response.json();
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

export function newPool(origin, connections) {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
}

async function send(pool, request, expect, result) {
  const started = performance.now();
  try {
    const response = await pool.request(request);
    await response.body.dump();
    result.latencies.push(performance.now() - started);
    if (!expect.includes(response.statusCode)) {
      result.errors += 1;
      result.statuses[response.statusCode] = (result.statuses[response.statusCode] ?? 0) + 1;
    }
  } catch (error) {
    result.errors += 1;
    result.statuses[error.code ?? error.name] = (result.statuses[error.code ?? error.name] ?? 0) + 1;
  }
}

/**
 * Closed loop: `connections` clients, each sending its next request when the previous one is
 * answered, for `seconds` or until `total` requests are sent. `makeRequest(i)` builds request i (undici request options).
 */
export async function loadClosed({ pool, connections, seconds = Infinity, total = Infinity, makeRequest, expect = [202], startIndex = 0 }) {
  const result = { latencies: [], errors: 0, statuses: {} };
  let next = startIndex;
  const started = performance.now();
  const end = started + seconds * 1_000;
  const last = startIndex + total;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end && next < last) await send(pool, makeRequest(next++), expect, result);
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  return { ...result, sent: next - startIndex, next, perSecond: result.latencies.length / elapsed, ...latencySummary(result.latencies) };
}

/**
 * Open loop at a fixed rate: request i is sent at start + i / rate whatever the answers do (the
 * pool queues beyond its connections); latency runs from that send to the answer.
 */
export async function loadRate({ pool, rate, seconds, makeRequest, expect = [202], startIndex = 0, total }) {
  const result = { latencies: [], errors: 0, statuses: {} };
  const count = total ?? Math.round(rate * seconds);
  const inFlight = [];
  const started = performance.now();
  let i = 0;
  await new Promise((resolveDone) => {
    const tick = () => {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1_000) + 1);
      while (i < due) {
        inFlight.push(send(pool, makeRequest(startIndex + i), expect, result));
        i += 1;
      }
      if (i >= count) resolveDone();
      else timer(tick, 1);
    };
    tick();
  });
  const sendSeconds = (performance.now() - started) / 1_000;
  await Promise.all(inFlight);
  return { ...result, sent: count, next: startIndex + count, offered: count / sendSeconds, ...latencySummary(result.latencies) };
}

export function versions(databaseUrl) {
  return Promise.all([
    adminQuery('SHOW server_version', databaseUrl).then(({ rows }) => rows[0].server_version.split(' ')[0]),
    adminQuery('SHOW fsync', databaseUrl).then(({ rows }) => rows[0].fsync),
    (async () => {
      const redis = new Redis(REDIS_URL);
      try {
        return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
      } finally {
        redis.disconnect();
      }
    })(),
  ]);
}

export function commit() {
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    }).trim();
  try {
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

export async function machineLine(databaseUrl, loadAtStart) {
  const [pgVersion, fsync, redisVersion] = await versions(databaseUrl);
  const undiciVersion = require('undici/package.json').version;
  return (
    `Machine: ${cpus().length} cores (${cpus()[0]?.model?.trim() ?? 'cpu'}), Node ${process.version}, PostgreSQL ${pgVersion}` +
    ` (fsync ${fsync}) and Redis ${redisVersion} on 127.0.0.1, load average ${fmt(loadAtStart ?? loadavg()[0], 2)} at the start;` +
    ` load generator: undici ${undiciVersion} Pool in the bench process, apps as separate built processes (NODE_ENV=production,` +
    ` log level ${process.env.BENCH_LOG_LEVEL ?? 'info (default)'}, tracing off).`
  );
}

/** Appends a section to bench/RESULTS.md (BENCH_NO_APPEND=1: print only). */
export function appendResults(lines) {
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (process.env.BENCH_NO_APPEND) return;
  const file = join(ROOT, 'bench/RESULTS.md');
  appendFileSync(file, `\n${text}`);
  try {
    // The repository's lint checks Markdown formatting too (aligned tables).
    execFileSync(join(ROOT, 'node_modules/.bin/prettier'), ['--write', file], { stdio: 'ignore' });
  } catch {
    // formatting is a nicety
  }
}

export const mark = (met) => (met ? '**met**' : '**missed**');

/** Where `--cpu-prof` output goes when BENCH_CPU_PROF=1: kept under bench/.out/ (git-ignored). */
export function profileDirFor(name) {
  if (!process.env.BENCH_CPU_PROF) return undefined;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(ROOT, 'bench/.out', `profiles-${name}-${stamp}`);
}

/** Self time of a `.cpuprofile` by frame and by package: the top of each, as Markdown lines. */
export function summarizeProfiles(dir, label, top = 12) {
  let files;
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  } catch {
    return [`(${label}: no profile in ${dir})`];
  }
  const byFrame = new Map();
  const byPackage = new Map();
  const byCaller = new Map();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    /** The package of the first frame up the stack that is neither native nor Node's own: who asked for the work. */
    const callerOf = (id) => {
      for (let at = id; at !== undefined; at = parents.get(at)) {
        const { url, functionName } = nodes.get(at).callFrame;
        const where = packageOf(url, functionName);
        if (where !== 'native' && where !== 'node core' && !where.startsWith('(')) return where;
      }
      return packageOf(nodes.get(id).callFrame.url, nodes.get(id).callFrame.functionName);
    };
    const self = new Map();
    profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
    for (const [id, micros] of self) {
      const { functionName, url, lineNumber } = nodes.get(id).callFrame;
      if (functionName === '(idle)') continue;
      total += micros;
      const where = packageOf(url, functionName);
      const file = url
        ? `${where === 'hookflow' ? relative(ROOT, fileURLToPath(url.startsWith('file:') ? url : `file://${url}`)) : shortUrl(url)}:${lineNumber + 1}`
        : '';
      const key = `${functionName || '(anonymous)'} ${file}`.trim();
      byFrame.set(key, (byFrame.get(key) ?? 0) + micros);
      byPackage.set(where, (byPackage.get(where) ?? 0) + micros);
      const caller = callerOf(id);
      byCaller.set(caller, (byCaller.get(caller) ?? 0) + micros);
    }
  }
  const pct = (micros) => `${fmt((micros / total) * 100, 1)} %`;
  const sortDesc = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return [
    `${label}: ${fmt(total / 1e6, 1)} s of busy CPU samples (idle excluded).`,
    '',
    `By package: ${sortDesc(byPackage)
      .slice(0, 10)
      .map(([name, micros]) => `${name} ${pct(micros)}`)
      .join(', ')}.`,
    '',
    `Charged to the first JavaScript package up the stack (native and Node core time to their caller): ${sortDesc(byCaller)
      .slice(0, 10)
      .map(([name, micros]) => `${name} ${pct(micros)}`)
      .join(', ')}.`,
    '',
    '| self time | frame |',
    '| ---: | --- |',
    ...sortDesc(byFrame)
      .slice(0, top)
      .map(([key, micros]) => `| ${pct(micros)} | \`${key.replaceAll('|', '\\|')}\` |`),
  ];
}

function shortUrl(url) {
  const at = url.lastIndexOf('node_modules/');
  return at >= 0 ? url.slice(at + 'node_modules/'.length) : url.replace(/^file:\/\//, '');
}

function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  if (url.startsWith('node:')) return 'node core';
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const rest = url.slice(at + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/dist/')) return 'hookflow';
  return 'other';
}

/** A ~1.6 KB JSON order (as bench:ingest sends), stamped with the send time for the receiver. */
export function orderBody(id, extra = {}) {
  return JSON.stringify({
    id,
    type: 'order.created',
    sentAt: nowMs(),
    created: 1_763_900_000,
    customer: { id: 'cus_0001', email: 'zoe@example.com', name: 'Zoë Example' },
    currency: 'EUR',
    total: 1234.5,
    items: Array.from({ length: 17 }, (_, k) => ({
      sku: `SKU-${String(k).padStart(4, '0')}`,
      name: 'Zoë’s widget, large',
      qty: k + 1,
      price: 1234.5,
    })),
    shipping: { street: '1 Example Street', city: 'Exampleville', postcode: '12345', country: 'DE' },
    ...extra,
  });
}

/** The heap used after the last forced full GC of an app started with `heapFile` (NaN before the first). */
export function heapAfterGc(heapFile) {
  try {
    return Number(readFileSync(heapFile, 'utf8'));
  } catch {
    return NaN;
  }
}

/** VmRSS of a process, in bytes (Linux). */
export function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}
