// End to end: from the sender's send (timestamp in the payload) to the action receiver's receipt,
// through a real ingest and a real engine, each its own built process (as in production), for a rule
// with one http step and a four-step pipeline (transform, http, transform, http): sustained runs/s
// and p50/p99 latency at a fixed rate.
// Run: npm run bench:e2e (builds first; needs PostgreSQL and Redis on 127.0.0.1).
// A database and a Redis key prefix of its own, removed at the end even on failure; the receiver is a
// node:http child process; the load generator (undici Pool) runs here. Traffic only to 127.0.0.1,
// bounded in time (BENCH_E2E_TIMEOUT_SECONDS). Appends a section to bench/RESULTS.md (BENCH_NO_APPEND=1: print only).
// Knobs: BENCH_E2E_RATE, BENCH_E2E_RATE_SECONDS, BENCH_E2E_BATCH, BENCH_E2E_CONNECTIONS, BENCH_E2E_WARMUP;
// HOOKFLOW_ENGINE_CONCURRENCY and HOOKFLOW_DB_POOL_SIZE pass through; BENCH_CPU_PROF=1 profiles both apps.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  RECEIVER,
  adminQuery,
  appendResults,
  commit,
  createHarness,
  fmt,
  latencySummary,
  loadClosed,
  loadRate,
  machineLine,
  mark,
  newPool,
  nowMs,
  orderBody,
  profileDirFor,
  receiverCounts,
  receiverStats,
  startApp,
  startScript,
  summarizeProfiles,
} from './lib/harness.mjs';

const RATE = Number(process.env.BENCH_E2E_RATE ?? 200);
const RATE_SECONDS = Number(process.env.BENCH_E2E_RATE_SECONDS ?? 20);
const BATCH = Number(process.env.BENCH_E2E_BATCH ?? 6_000);
const CONNECTIONS = Number(process.env.BENCH_E2E_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_E2E_WARMUP ?? 400);
const TIMEOUT_SECONDS = Number(process.env.BENCH_E2E_TIMEOUT_SECONDS ?? 480);
const SECRET = 'bench-secret-0123456789';
const harness = createHarness('e2e', TIMEOUT_SECONDS);
const { log } = harness;
const loadAtStart = loadavg()[0];
const runTag = `${process.pid}_${Date.now().toString(36)}`;
const passThrough = ['HOOKFLOW_ENGINE_CONCURRENCY', 'HOOKFLOW_DB_POOL_SIZE'].filter((name) => process.env[name]);

const rulesYaml = (receiver) => `
sources:
  - { id: e2e-one, provider: hmac, secrets: ['${SECRET}'], eventType: payload.type, idempotencyKey: payload.id }
  - { id: e2e-four, provider: hmac, secrets: ['${SECRET}'], eventType: payload.type, idempotencyKey: payload.id }

rules:
  - id: one-step
    source: e2e-one
    events: ['order.*']
    when: payload.total >= 100
    steps:
      - id: notify
        type: http
        method: POST
        url: '${receiver}/one'
        headers: { X-Hookflow-Rule: one-step }
        body:
          text: 'Order {{ payload.id }} for {{ payload.customer.name }}: {{ $formatNumber(payload.total, "#,##0.00") }}'
          sentAt: '{{ payload.sentAt }}'
          eventType: '{{ event.type }}'

  - id: four-steps
    source: e2e-four
    events: ['order.*']
    when: payload.total >= 100
    steps:
      - id: shape
        type: transform
        expression: '{ "order": payload.id, "sentAt": payload.sentAt, "lines": $count(payload.items), "amount": $sum(payload.items.(qty * price)) }'
      - id: notify
        type: http
        method: POST
        url: '${receiver}/notify'
        headers: { X-Hookflow-Rule: four-steps }
        body:
          text: 'Order {{ payload.id }} for {{ payload.customer.name }}: {{ $formatNumber(steps.shape.output.amount, "#,##0.00") }}'
          sentAt: '{{ payload.sentAt }}'
          lines: '{{ steps.shape.output.lines }}'
      - id: summarize
        type: transform
        expression: '{ "order": steps.shape.output.order, "sentAt": steps.shape.output.sentAt, "notified": steps.notify.output.status = 200, "rule": rule.id }'
      - id: record
        type: http
        method: POST
        url: '${receiver}/record'
        body: '{{ steps.summarize.output }}'
`;

const scenarios = [
  { name: 'rule with one http step', source: 'e2e-one', rule: 'one-step', path: '/one' },
  { name: 'four-step pipeline (transform, http, transform, http)', source: 'e2e-four', rule: 'four-steps', path: '/record' },
];

const requestsFor = (source) => (i) => {
  const body = orderBody(`ord_${runTag}_${source}_${i}`);
  return {
    path: `/hooks/${source}`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-webhook-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    },
    body,
  };
};

async function main() {
  log(`database ${harness.database}: creating and migrating`);
  await harness.prepareStores();
  const receiver = await startScript(harness, 'receiver', RECEIVER);
  writeFileSync(join(harness.tmp, 'bench.yaml'), rulesYaml(receiver.url));
  const profileDirs = { ingest: profileDirFor('e2e-ingest'), engine: profileDirFor('e2e-engine') };
  const appEnv = {
    HOOKFLOW_RULES_DIR: harness.tmp,
    HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: '127.0.0.1/32',
    ...Object.fromEntries(passThrough.map((name) => [name, process.env[name]])),
  };
  log('starting the ingest and engine processes');
  const ingest = await startApp(harness, 'ingest', 'INGEST_PORT', appEnv, { profileDir: profileDirs.ingest });
  const engine = await startApp(harness, 'engine', 'ENGINE_PORT', appEnv, { profileDir: profileDirs.engine });
  const pool = newPool(ingest.url, CONNECTIONS);
  harness.cleanups.push(() => pool.destroy().catch(() => undefined));

  let index = 0;
  const expected = Object.fromEntries(scenarios.map(({ path }) => [path, 0]));
  const drained = (what) =>
    harness.until(what, async () => {
      const counts = await receiverCounts(receiver);
      return scenarios.every(({ path }) => (counts[path] ?? 0) >= expected[path]);
    });

  for (const scenario of scenarios) {
    log(`warm-up: ${WARMUP} deliveries at ${RATE}/s, ${scenario.name}`);
    const warm = await loadRate({ pool, rate: RATE, total: WARMUP, makeRequest: requestsFor(scenario.source), startIndex: index });
    index = warm.next;
    if (warm.errors > 0) throw new Error(`warm-up: ${warm.errors} errors: ${JSON.stringify(warm.statuses)}`);
    expected[scenario.path] += WARMUP;
  }
  await drained('the warm-up runs');
  const reset = async () => {
    const stats = await receiverStats(receiver, true);
    for (const path of Object.keys(expected)) expected[path] = 0; // the receiver starts counting again
    return stats;
  };
  await reset();

  const results = new Map();
  for (const scenario of scenarios) {
    log(`${scenario.name}: ${RATE}/s for ${RATE_SECONDS} s`);
    const sent = await loadRate({ pool, rate: RATE, seconds: RATE_SECONDS, makeRequest: requestsFor(scenario.source), startIndex: index });
    index = sent.next;
    expected[scenario.path] += sent.sent - sent.errors;
    await drained(`the runs at ${RATE}/s`);
    const stats = (await reset())[scenario.path];
    results.set(scenario.rule, { rate: { sent, ...latencySummary(stats.latencies), ingest: sent } });
  }

  for (const scenario of scenarios) {
    log(`${scenario.name}: a batch of ${BATCH} deliveries over ${CONNECTIONS} connections`);
    const firstSend = nowMs();
    const sent = await loadClosed({
      pool,
      connections: CONNECTIONS,
      total: BATCH,
      makeRequest: requestsFor(scenario.source),
      startIndex: index,
    });
    const lastAnswer = nowMs();
    index = sent.next;
    expected[scenario.path] += sent.latencies.length - sent.errors;
    const backlogAtLastAnswer = expected[scenario.path] - ((await receiverCounts(receiver))[scenario.path] ?? 0);
    await drained('the batch runs');
    const stats = (await reset())[scenario.path];
    const lastReceipt = Math.max(...stats.receivedAt);
    const afterSends = stats.receivedAt.filter((at) => at > lastAnswer).length;
    results.get(scenario.rule).batch = {
      runs: stats.count,
      errors: sent.errors,
      ingestPerSecond: (sent.latencies.length / (lastAnswer - firstSend)) * 1_000,
      completionPerSecond: (stats.count / (lastReceipt - firstSend)) * 1_000,
      drainPerSecond: afterSends > 0 ? (afterSends / (lastReceipt - lastAnswer)) * 1_000 : NaN,
      backlogAtLastAnswer,
      seconds: (lastReceipt - firstSend) / 1_000,
      ...latencySummary(stats.latencies),
    };
  }

  const { rows } = await adminQuery(
    `SELECT rule_id, status, count(*)::int AS n FROM runs GROUP BY rule_id, status ORDER BY rule_id, status`,
    harness.databaseUrl,
  );
  const notSucceeded = rows.filter((row) => row.status !== 'succeeded');
  const machine = await machineLine(harness.databaseUrl, loadAtStart);
  const loadAtEnd = loadavg()[0];
  await pool.destroy();
  await ingest.stop();
  await engine.stop();

  const ms = (value) => fmt(value, 1);
  const one = results.get('one-step');
  const rows1 = scenarios.map(({ name, rule }) => {
    const { rate } = results.get(rule);
    return `| ${name} | ${fmt(rate.sent.offered)} | ${fmt(rate.count)} | ${ms(rate.p50)} | ${ms(rate.p99)} | ${ms(rate.max)} | ${ms(rate.sent.p50)} / ${ms(rate.sent.p99)} |`;
  });
  const rows2 = scenarios.map(({ name, rule }) => {
    const { batch } = results.get(rule);
    return (
      `| ${name} | ${fmt(batch.runs)} | ${fmt(batch.ingestPerSecond)} | ${fmt(batch.backlogAtLastAnswer)} | ` +
      `**${fmt(batch.completionPerSecond)}** | ${fmt(batch.drainPerSecond)} | ${fmt(batch.seconds, 1)} | ${fmt(batch.p50 / 1_000, 1)} / ${fmt(batch.max / 1_000, 1)} |`
    );
  });
  const out = [
    `## ${new Date().toISOString().slice(0, 10)} — end to end, send to action receipt (\`npm run bench:e2e\`), commit ${commit()}`,
    '',
    `${machine} Load average ${fmt(loadAtEnd, 2)} at the end.`,
    `Ingest and engine are separate built processes (engine concurrency ${process.env.HOOKFLOW_ENGINE_CONCURRENCY ?? '10 (default)'} per queue,`,
    `database pool ${process.env.HOOKFLOW_DB_POOL_SIZE ?? '10 (default)'} each); hmac-signed ~1.6 KB orders carry \`sentAt\` (the sender's clock just before the`,
    'send); the rule copies it into the http step body and a node:http receiver (a child process, answers 200 at once)',
    'takes `receipt − sentAt`. For the four-step pipeline the receipt is that of its last step (the second http call).',
    `Warm-up: ${WARMUP} deliveries per rule at ${RATE}/s.`,
    '',
    `Latency at a fixed rate (open loop, ${fmt(RATE)}/s for ${RATE_SECONDS} s; ms):`,
    '',
    '| scenario | offered/s | runs | p50 send → receipt | p99 | max | ingest answer p50 / p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows1,
    '',
    `Sustained rate. Method: a batch of ${fmt(BATCH)} deliveries is sent as fast as ingest answers (${CONNECTIONS} connections, closed`,
    'loop); the completion rate is runs / (last receipt − first send). The engine cannot keep up with ingest, so the',
    'runs queue grows while the batch is sent (backlog at the last ingest answer) and the completion rate is the',
    'engine\'s sustained rate while sharing the CPU with ingest; "drain" is the rate after the last send, engine alone.',
    '',
    '| scenario | runs | ingest accepted/s | backlog at last answer | completed runs/s | drain runs/s (engine alone) | s | receipt delay p50 / max (s) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows2,
    '',
    `Runs by final status: ${rows.map((row) => `${row.rule_id} ${row.status} ${fmt(row.n)}`).join(', ')}` +
      (notSucceeded.length > 0 ? ' — **some runs did not succeed**.' : '.'),
    '',
    'Targets (issue 6):',
    '',
    `- ≥ 2,000 single-step runs/s sustained: ${fmt(one.batch.completionPerSecond)} runs/s — ${mark(one.batch.completionPerSecond >= 2_000)}.`,
    `- p50 receipt-to-action ≤ 50 ms at ${RATE}/s (single step): ${ms(one.rate.p50)} ms — ${mark(one.rate.p50 <= 50)}.`,
  ];
  for (const [app, dir] of Object.entries(profileDirs)) {
    if (dir)
      out.push('', ...summarizeProfiles(dir, `CPU profile of the ${app} process (whole run, \`${dir.slice(dir.indexOf('bench/'))}\`)`));
  }
  appendResults(out);
  if (notSucceeded.length > 0) throw new Error(`runs not succeeded: ${JSON.stringify(notSucceeded)}`);
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
