// Soak: a fixed rate of signed deliveries through ingest → engine → receiver for N minutes, sampling
// the RSS of each app process (/proc/<pid>/status VmRSS) and Redis used_memory every 10 s; exits 1
// if memory keeps growing after the warm-up. Each app also reports its heap used after a forced full GC
// every 5 s (a bench-only preload), the series that tells a leak from V8 sizing its heap.
// Run: npm run bench:soak -- --minutes 10 --rate 100 (builds first; needs PostgreSQL and Redis on 127.0.0.1).
// Criterion: warm-up is the first 20 % of the run (at least 60 s). For each series, over the samples after
// the warm-up, it "keeps growing" when BOTH the least-squares slope × that window's length exceeds the
// allowance AND the mean of the last third exceeds the mean of the first third by more than the allowance;
// the allowance is 10 % of the series' post-warm-up mean, at least 8 MiB (RSS) or 4 MiB (Redis).
// (BullMQ keeps up to 10,000 completed jobs per queue for an hour, so Redis fills for the first
// ~100 s at 100/s and then stays level: the warm-up covers that.)
// A database and a Redis key prefix of its own, removed at the end even on failure; traffic only to
// 127.0.0.1; bounded (the run's length + BENCH_SOAK_GRACE_SECONDS). Appends a section to bench/RESULTS.md.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clearInterval, setInterval } from 'node:timers';
import { createRequire } from 'node:module';
import {
  REDIS_URL,
  RECEIVER,
  adminQuery,
  appendResults,
  commit,
  createHarness,
  fmt,
  heapAfterGc,
  latencySummary,
  loadRate,
  machineLine,
  mark,
  mib,
  newPool,
  orderBody,
  receiverCounts,
  receiverStats,
  rssOf,
  startApp,
  startScript,
} from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const Redis = require('ioredis');

const { values: args } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '100' } },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const SAMPLE_SECONDS = 10;
const GRACE_SECONDS = Number(process.env.BENCH_SOAK_GRACE_SECONDS ?? 180);
const SECRET = 'bench-secret-0123456789';
if (!(MINUTES > 0) || !(RATE > 0)) throw new Error('--minutes and --rate must be positive numbers');
const harness = createHarness('soak', MINUTES * 60 + GRACE_SECONDS);
const { log } = harness;
const loadAtStart = loadavg()[0];
const runTag = `${process.pid}_${Date.now().toString(36)}`;

const rulesYaml = (receiver) => `
sources:
  - { id: soak, provider: hmac, secrets: ['${SECRET}'], eventType: payload.type, idempotencyKey: payload.id }
rules:
  - id: soak-notify
    source: soak
    events: ['order.*']
    when: payload.total >= 100
    steps:
      - id: notify
        type: http
        method: POST
        url: '${receiver}/soak'
        body:
          text: 'Order {{ payload.id }} for {{ payload.customer.name }}: {{ $formatNumber(payload.total, "#,##0.00") }}'
          sentAt: '{{ payload.sentAt }}'
`;

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

function verdict(samples, key, floor, warmupSeconds) {
  const after = samples.filter((sample) => sample.t >= warmupSeconds && Number.isFinite(sample[key]));
  if (after.length < 6) return { ok: false, why: 'too few samples after the warm-up' };
  const xs = after.map((s) => s.t);
  const ys = after.map((s) => s[key]);
  const span = xs[xs.length - 1] - xs[0];
  const allowance = Math.max(0.1 * mean(ys), floor);
  const trend = slope(xs, ys) * span;
  const third = Math.floor(ys.length / 3);
  const firstThird = mean(ys.slice(0, third));
  const lastThird = mean(ys.slice(-third));
  const growing = trend > allowance && lastThird - firstThird > allowance;
  return { ok: !growing, trend, allowance, firstThird, lastThird, min: Math.min(...ys), max: Math.max(...ys) };
}

async function main() {
  log(`database ${harness.database}: creating and migrating`);
  await harness.prepareStores();
  const receiver = await startScript(harness, 'receiver', RECEIVER);
  writeFileSync(join(harness.tmp, 'soak.yaml'), rulesYaml(receiver.url));
  const appEnv = { HOOKFLOW_RULES_DIR: harness.tmp, HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: '127.0.0.1/32' };
  const heapFiles = { ingest: join(harness.tmp, 'ingest.heap'), engine: join(harness.tmp, 'engine.heap') };
  const ingest = await startApp(harness, 'ingest', 'INGEST_PORT', appEnv, { heapFile: heapFiles.ingest });
  const engine = await startApp(harness, 'engine', 'ENGINE_PORT', appEnv, { heapFile: heapFiles.engine });
  const pool = newPool(ingest.url, 50);
  harness.cleanups.push(() => pool.destroy().catch(() => undefined));
  const redis = new Redis(REDIS_URL);
  harness.cleanups.push(() => redis.disconnect());

  const started = Date.now();
  const samples = [];
  const sample = async () => {
    const memory = await redis.info('memory');
    const counts = await receiverCounts(receiver).catch(() => ({}));
    const entry = {
      t: (Date.now() - started) / 1_000,
      ingest: rssOf(ingest.pid),
      engine: rssOf(engine.pid),
      ingestHeap: heapAfterGc(heapFiles.ingest),
      engineHeap: heapAfterGc(heapFiles.engine),
      redis: Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? NaN),
      receipts: counts['/soak'] ?? 0,
    };
    samples.push(entry);
    log(
      `t=${fmt(entry.t)} s ingest ${mib(entry.ingest)} (heap ${mib(entry.ingestHeap)}), engine ${mib(entry.engine)} ` +
        `(heap ${mib(entry.engineHeap)}), redis ${mib(entry.redis)}, ` +
        `${fmt(entry.receipts)} runs received`,
    );
  };
  await sample();
  const sampler = setInterval(() => void sample().catch((error) => log(`sample failed: ${error.message}`)), SAMPLE_SECONDS * 1_000);
  const makeRequest = (i) => {
    const body = orderBody(`ord_${runTag}_${i}`);
    return {
      path: '/hooks/soak',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-webhook-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    };
  };
  log(`${RATE}/s for ${MINUTES} min`);
  let sent;
  try {
    sent = await loadRate({ pool, rate: RATE, seconds: MINUTES * 60, makeRequest });
    await sample();
  } finally {
    clearInterval(sampler);
  }
  const accepted = sent.latencies.length - sent.errors;
  await harness.until('the last runs', async () => ((await receiverCounts(receiver))['/soak'] ?? 0) >= accepted, 250);
  const receipts = latencySummary((await receiverStats(receiver))['/soak'].latencies);
  const { rows } = await adminQuery(`SELECT status, count(*)::int AS n FROM runs GROUP BY status`, harness.databaseUrl);
  const machine = await machineLine(harness.databaseUrl, loadAtStart);
  const loadAtEnd = loadavg()[0];
  await pool.destroy();
  await ingest.stop();
  await engine.stop();

  const warmupSeconds = Math.max(60, MINUTES * 60 * 0.2);
  const series = [
    ['ingest RSS', 'ingest', 8 * 1024 * 1024],
    ['engine RSS', 'engine', 8 * 1024 * 1024],
    ['ingest heap after a full GC', 'ingestHeap', 4 * 1024 * 1024],
    ['engine heap after a full GC', 'engineHeap', 4 * 1024 * 1024],
    ['Redis used_memory', 'redis', 4 * 1024 * 1024],
  ].map(([label, key, floor]) => ({ label, key, ...verdict(samples, key, floor, warmupSeconds) }));
  const flat = series.every((s) => s.ok);
  const out = [
    `## ${new Date().toISOString().slice(0, 10)} — soak, ${MINUTES} min at ${RATE}/s (\`npm run bench:soak\`), commit ${commit()}`,
    '',
    `${machine} Load average ${fmt(loadAtEnd, 2)} at the end.`,
    `Ingest → engine → receiver (one http step), hmac-signed ~1.6 KB orders at ${RATE}/s (open loop) for ${MINUTES} min;`,
    `${fmt(sent.sent)} sent, ${fmt(sent.errors)} errors, ingest answer p50 ${fmt(sent.p50, 1)} ms / p99 ${fmt(sent.p99, 1)} ms;`,
    `send → receipt p50 ${fmt(receipts.p50, 1)} ms / p99 ${fmt(receipts.p99, 1)} ms / max ${fmt(receipts.max, 1)} ms;`,
    `runs: ${rows.map((row) => `${row.status} ${fmt(row.n)}`).join(', ')}.`,
    `Memory sampled every ${SAMPLE_SECONDS} s; warm-up ${fmt(warmupSeconds)} s. A series keeps growing when, after the warm-up, both its`,
    'least-squares trend over the window and (last third − first third) of its means exceed the allowance',
    '(10 % of its mean, at least 8 MiB for RSS, 4 MiB for heaps and Redis). Each app runs a full GC every 5 s and',
    'reports its heap used right after it (a bench-only preload): a leak shows there, while RSS also moves with',
    "V8's and the allocator's sizing.",
    '',
    '| series | min | max | mean, first third | mean, last third | trend over the window | allowance | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...series.map(
      (s) =>
        `| ${s.label} | ${mib(s.min)} | ${mib(s.max)} | ${mib(s.firstThird)} | ${mib(s.lastThird)} | ${s.trend >= 0 ? '+' : ''}${mib(s.trend)} | ${mib(s.allowance)} | ${s.ok ? 'flat' : s.why ? `**not judged** (${s.why})` : '**grows**'} |`,
    ),
    '',
    `Samples (s: ingest / engine RSS, ingest / engine heap after GC, Redis, MiB): ${samples
      .map(
        (s) =>
          `${fmt(s.t)}: ${fmt(s.ingest / 1048576)}/${fmt(s.engine / 1048576)}, ` +
          `${fmt(s.ingestHeap / 1048576, 1)}/${fmt(s.engineHeap / 1048576, 1)}, ${fmt(s.redis / 1048576, 1)}`,
      )
      .join('; ')}.`,
    '',
    `Target (issue 6): flat memory in the soak — ${mark(flat)}.`,
  ];
  appendResults(out);
  if (!flat)
    throw new Error(
      `memory keeps growing: ${series
        .filter((s) => !s.ok)
        .map((s) => s.label)
        .join(', ')}`,
    );
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  log(`failed: ${error.stack ?? error}`);
} finally {
  await harness.cleanUp();
}
process.exit(failed ? 1 : 0);
