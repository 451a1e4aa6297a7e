// Engine throughput (runs/s of a one-step and a four-step rule, each as a ratio of a no-op BullMQ
// worker measured in the same run) and the time and memory to load 1,000 rules.
// Run: npm run bench:engine (builds first; needs PostgreSQL and Redis on 127.0.0.1).
// Uses a database and a Redis key prefix of its own, removed at the end even on failure; sends
// traffic only to 127.0.0.1, a fixed number of events, and stops by itself (BENCH_ENGINE_TIMEOUT_SECONDS).
// Knobs: BENCH_ENGINE_EVENTS (per scenario and round), BENCH_ENGINE_ROUNDS, BENCH_ENGINE_WARMUP,
// BENCH_ENGINE_NOOP_JOBS, BENCH_ENGINE_RULES; HOOKFLOW_ENGINE_CONCURRENCY and HOOKFLOW_DB_POOL_SIZE pass through.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { REDIS_URL, commit, createHarness, fmt, mib, startScript, versions } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { loadConfig } = require('../dist/libs/config/src/index.js');
const { EventsRepository } = require('../dist/libs/persistence/src/index.js');
const { EVENTS_QUEUE, EVENT_JOB_OPTIONS, RUN_JOB_OPTIONS, eventJobId, redisOptions } = require('../dist/libs/queue/src/index.js');
const { loadRulesDirectory, compileRule, CatalogSyncService } = require('../dist/libs/rules/src/index.js');
const { createEngineApp } = require('../dist/apps/engine/src/index.js');
const { RuleRegistry } = require('../dist/apps/engine/src/rules/rule-registry.service.js');
const { Queue, Worker } = require('bullmq');
const { Client } = require('pg');
const { v7: uuidv7 } = require('uuid');

const EVENTS = Number(process.env.BENCH_ENGINE_EVENTS ?? 2_000);
const WARMUP = Number(process.env.BENCH_ENGINE_WARMUP ?? 200);
const RULES = Number(process.env.BENCH_ENGINE_RULES ?? 1_000);
const NOOP_JOBS = Number(process.env.BENCH_ENGINE_NOOP_JOBS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 3);
const TIMEOUT_SECONDS = Number(process.env.BENCH_ENGINE_TIMEOUT_SECONDS ?? 240);
const POLL_MS = 50;
// The private database and Redis prefix, clean-up (also on SIGINT/SIGTERM) and the deadline.
const harness = createHarness('engine', TIMEOUT_SECONDS);
const { log, cleanups, prefix } = harness;
const until = (what, check) => harness.until(what, check, POLL_MS);
const startedAt = Date.now();
const loadAtStart = loadavg()[0];

// `node --expose-gc` (the npm script) gives gc; plain `node` gets it this way.
if (typeof globalThis.gc !== 'function') setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? runInNewContext('gc');

const scenarioRulesDir = harness.tmp; // removed by the harness
const manyRulesDir = mkdtempSync(join(tmpdir(), 'hookflow-bench-rules-'));
cleanups.push(() => rmSync(manyRulesDir, { recursive: true, force: true }));
const env = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: harness.databaseUrl,
  REDIS_URL,
  HOOKFLOW_REDIS_PREFIX: prefix,
  HOOKFLOW_RULES_DIR: scenarioRulesDir,
  HOOKFLOW_HOST: '127.0.0.1',
  HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: '127.0.0.1/32',
  // No background catalog refresh during the measurements: this process triggers every reload.
  HOOKFLOW_CONFIG_REFRESH: '1h',
  HOOKFLOW_RULES_WATCH: 'false',
  ...(process.env.HOOKFLOW_ENGINE_CONCURRENCY ? { HOOKFLOW_ENGINE_CONCURRENCY: process.env.HOOKFLOW_ENGINE_CONCURRENCY } : {}),
  ...(process.env.HOOKFLOW_DB_POOL_SIZE ? { HOOKFLOW_DB_POOL_SIZE: process.env.HOOKFLOW_DB_POOL_SIZE } : {}),
};
const config = loadConfig(env);
const concurrency = config.engine.concurrency;

/** A plain node:http receiver in a child process (so it does not share the engine's event loop). */
async function startReceiver() {
  const code = `
    const http = require('node:http');
    let count = 0;
    const server = http.createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/count') return response.end(String(count));
      request.resume();
      request.on('end', () => {
        count += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const { url } = await startScript(harness, 'the receiver', code);
  return { url, count: async () => Number(await (await fetch(`${url}/count`)).text()) };
}

const scenarioYaml = (receiver) => `
sources:
  - { id: bench-one, provider: none, idempotencyKey: payload.id }
  - { id: bench-four, provider: none, idempotencyKey: payload.id }

rules:
  - id: one-step
    source: bench-one
    events: ['order.*']
    when: payload.total >= 100
    steps:
      - id: notify
        type: http
        method: POST
        url: '${receiver}/one'
        headers: { X-Hookflow-Rule: one-step }
        body:
          text: 'Order {{ payload.id }} for {{ payload.customer }}: {{ $formatNumber(payload.total, "#,##0.00") }}'
          total: '{{ payload.total }}'
          eventType: '{{ event.type }}'

  - id: four-steps
    source: bench-four
    events: ['order.*']
    when: payload.total >= 100
    steps:
      - id: shape
        type: transform
        expression: '{ "order": payload.id, "lines": $count(payload.items), "amount": $sum(payload.items.(qty * price)) }'
      - id: notify
        type: http
        method: POST
        url: '${receiver}/notify'
        headers: { X-Hookflow-Rule: four-steps }
        body:
          text: 'Order {{ payload.id }} for {{ payload.customer }}: {{ $formatNumber(steps.shape.output.amount, "#,##0.00") }}'
          lines: '{{ steps.shape.output.lines }}'
      - id: summarize
        type: transform
        expression: '{ "order": steps.shape.output.order, "notified": steps.notify.output.status = 200, "rule": rule.id }'
      - id: record
        type: http
        method: POST
        url: '${receiver}/record'
        body: '{{ steps.summarize.output }}'
`;

/** RULES realistic rules over four sources, a file per source. */
function writeManyRules(dir) {
  const sources = [
    ['shop', 'hmac', 'order', ['created', 'updated', 'paid', 'refunded']],
    ['billing', 'stripe', 'invoice', ['created', 'paid', 'payment_failed', 'finalized']],
    ['repo', 'github', 'pull_request', ['opened', 'closed', 'synchronize', 'labeled']],
    ['crm', 'standard-webhooks', 'contact', ['created', 'updated', 'deleted', 'merged']],
  ];
  const files = sources.map(([id, provider]) => {
    const secret = provider === 'standard-webhooks' ? 'whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA==' : 'bench-secret-0123456789';
    return [`sources:\n  - { id: ${id}, provider: ${provider}, secrets: ['${secret}'] }\n\nrules:\n`];
  });
  for (let i = 0; i < RULES; i += 1) {
    const [source, , noun, verbs] = sources[i % sources.length];
    const n = String(i).padStart(4, '0');
    const events = i % 3 === 0 ? `['${noun}.*']` : `['${noun}.${verbs[i % 4]}', '${noun}.${verbs[(i + 1) % 4]}']`;
    const lines = [
      `  - id: ${source}-rule-${n}`,
      `    source: ${source}`,
      `    events: ${events}`,
      `    when: payload.amount >= ${i % 500} and payload.currency in ["EUR", "USD"]`,
      `    retry: { attempts: ${3 + (i % 4)}, backoff: exponential, delay: 1s, maxDelay: 10m }`,
      `    steps:`,
    ];
    if (i % 3 === 1) {
      lines.push(
        `      - id: shape`,
        `        type: transform`,
        `        expression: '{ "id": payload.id, "amount": payload.amount / 100, "tags": payload.tags[$ != "internal"] }'`,
      );
    }
    lines.push(
      `      - id: notify`,
      `        type: http`,
      `        method: POST`,
      `        url: 'https://hooks.example.com/${source}/${n}'`,
      `        headers: { X-Hookflow-Rule: ${source}-rule-${n}, Authorization: 'Bearer \${BENCH_RULES_TOKEN:-bench-token}' }`,
      `        timeout: 5s`,
      `        body:`,
      `          text: '${noun} {{ payload.id }} of {{ $formatNumber(payload.amount / 100, "#,##0.00") }} {{ payload.currency }} (rule ${n})'`,
      `          amount: '{{ payload.amount }}'`,
      `          customer: '{{ payload.customer.email }}'`,
    );
    if (i % 5 === 2) {
      lines.push(
        `      - id: audit`,
        `        type: http`,
        `        when: steps.notify.status = "succeeded"`,
        `        url: 'https://audit.example.com/events'`,
        `        body: { rule: '{{ rule.id }}', event: '{{ event.id }}', status: '{{ steps.notify.output.status }}' }`,
      );
    }
    files[i % sources.length].push(`${lines.join('\n')}\n`);
  }
  sources.forEach(([id], index) => writeFileSync(join(dir, `${id}.yaml`), files[index].join('')));
}

function orderEvent(sourceId, index) {
  const id = `ord_${sourceId}_${index}`;
  const payload = {
    id,
    type: 'order.created',
    customer: 'Zoë Example',
    total: 100 + (index % 900),
    items: Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${i}`, qty: 1 + i, price: 12.5 * (i + 1) })),
  };
  const rawBody = Buffer.from(JSON.stringify(payload));
  return {
    id: uuidv7(),
    sourceId,
    idempotencyKey: id,
    type: payload.type,
    headers: { 'content-type': 'application/json', 'user-agent': 'bench' },
    contentType: 'application/json',
    rawBody,
    payload,
    receivedAt: new Date(),
  };
}

/** The baseline: a BullMQ worker doing nothing, same Redis and concurrency, draining jobs added in bulk. */
async function measureNoopWorker(label) {
  const queueName = 'bench-noop';
  const queue = new Queue(queueName, { connection: redisOptions(REDIS_URL, 'worker'), prefix });
  let completed = 0;
  let lastCompletedAt = 0;
  const worker = new Worker(queueName, async () => {}, { connection: redisOptions(REDIS_URL, 'worker'), prefix, concurrency });
  worker.on('completed', () => {
    completed += 1;
    lastCompletedAt = performance.now();
  });
  worker.on('error', (error) => log(`no-op worker: ${error.message}`));
  try {
    await worker.waitUntilReady();
    const add = async (count, offset) => {
      for (let i = 0; i < count; i += 500) {
        const size = Math.min(500, count - i);
        await queue.addBulk(
          Array.from({ length: size }, (_, j) => ({
            name: 'noop',
            data: { runId: uuidv7(), execution: 1 },
            opts: { ...RUN_JOB_OPTIONS, jobId: `${label}-${offset + i + j}` },
          })),
        );
      }
    };
    await add(WARMUP, 0);
    await until('the no-op warm-up', () => completed >= WARMUP);
    completed = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await add(NOOP_JOBS, WARMUP);
    await until('the no-op jobs', () => completed >= NOOP_JOBS);
    const used = process.cpuUsage(cpu);
    const seconds = (lastCompletedAt - started) / 1_000;
    return { perSecond: NOOP_JOBS / seconds, seconds, cpuMicrosPer: (used.user + used.system) / NOOP_JOBS };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/**
 * Puts events in as ingest does (committed, then queued with the event id as job id) and waits for
 * their runs. Each call measures `EVENTS` more; the first also warms up with `WARMUP`.
 */
function ruleScenario({ engine, db, eventsQueue, sourceId, ruleId }) {
  const events = engine.get(EventsRepository);
  let total = 0;
  const put = async (count) => {
    const batch = Array.from({ length: count }, (_, i) => orderEvent(sourceId, total + i));
    for (let i = 0; i < batch.length; i += 250) await events.insertIfAbsent(batch.slice(i, i + 250));
    total += count;
    return batch.map((event) => event.id);
  };
  const enqueue = async (ids) => {
    for (let i = 0; i < ids.length; i += 500) {
      await eventsQueue.addBulk(
        ids
          .slice(i, i + 500)
          .map((eventId) => ({ name: 'event', data: { eventId }, opts: { ...EVENT_JOB_OPTIONS, jobId: eventJobId(eventId) } })),
      );
    }
  };
  const succeeded = async () => {
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              max(finished_at) AS last FROM runs WHERE rule_id = $1`,
      [ruleId],
    );
    const [{ succeeded: done, failed, last }] = rows;
    if (failed > 0) {
      const { rows: errors } = await db.query(`SELECT error FROM runs WHERE rule_id = $1 AND status = 'failed' LIMIT 1`, [ruleId]);
      throw new Error(`${failed} run(s) of ${ruleId} failed, e.g.: ${errors[0]?.error}`);
    }
    return done >= total ? { last } : undefined;
  };
  return async function measure() {
    if (total === 0) {
      await enqueue(await put(WARMUP));
      await until(`the ${ruleId} warm-up`, succeeded);
    }
    const ids = await put(EVENTS); // committed before the clock starts: this measures the engine only
    const cpu = process.cpuUsage();
    const startedWall = Date.now();
    await enqueue(ids);
    const { last } = await until(`the ${ruleId} runs`, succeeded);
    const used = process.cpuUsage(cpu);
    const seconds = (last.getTime() - startedWall) / 1_000;
    return { perSecond: EVENTS / seconds, seconds, cpuMicrosPer: (used.user + used.system) / EVENTS };
  };
}

function memory() {
  gc();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

/** Compiles every rule as the engine does; returns the time and the heap the compiled rules hold. */
function measureCompile(rules, heapBefore) {
  const started = performance.now();
  const compiled = rules.map((rule) => compileRule(rule.id, 1, rule, config.rules.variables));
  const ms = performance.now() - started;
  const heap = memory().heapUsed - heapBefore; // `compiled` is still alive here
  if (compiled.length !== rules.length) throw new Error('not every rule compiled');
  return { ms, heap };
}

/** The first load of the directory; what it allocates transiently is dropped on return. */
async function firstLoad(engine, before) {
  const [loaded, validateMs] = await timed(() => loadRulesDirectory(manyRulesDir, config.rules.variables));
  if (loaded.rules.length !== RULES) throw new Error(`expected ${RULES} rules, loaded ${loaded.rules.length}`);
  const afterLoad = memory();
  const compile = measureCompile(loaded.rules, afterLoad.heapUsed);
  const [synced, firstSyncMs] = await timed(() => engine.get(CatalogSyncService).sync(loaded));
  if (synced.rulesVersioned.length !== RULES) throw new Error(`the first sync made ${synced.rulesVersioned.length} versions, not ${RULES}`);
  const registry = engine.get(RuleRegistry);
  const [, reloadMs] = await timed(() => registry.reload());
  const shopRules = registry.rulesFor('shop').length;
  if (shopRules !== Math.ceil(RULES / 4)) throw new Error(`the registry holds ${shopRules} rules of source shop`);
  return {
    validateMs,
    loadedHeap: afterLoad.heapUsed - before.heapUsed,
    compileMs: compile.ms,
    compiledHeap: compile.heap,
    firstSyncMs,
    reloadMs,
  };
}

async function measureRuleLoad(engine) {
  writeManyRules(manyRulesDir);
  const before = memory();
  const first = await firstLoad(engine, before);
  const retained = memory(); // the registry (and its version cache) now holds the compiled rules
  const [again, secondValidateMs] = await timed(() => loadRulesDirectory(manyRulesDir, config.rules.variables));
  const [second, secondSyncMs] = await timed(() => engine.get(CatalogSyncService).sync(again));
  if (second.rulesVersioned.length !== 0) throw new Error(`the unchanged sync made ${second.rulesVersioned.length} new versions`);
  return {
    ...first,
    secondValidateMs,
    secondSyncMs,
    retainedHeap: retained.heapUsed - before.heapUsed,
    retainedRss: retained.rss - before.rss,
  };
}

async function main() {
  const receiver = await startReceiver();
  writeFileSync(join(scenarioRulesDir, 'bench.yaml'), scenarioYaml(receiver.url));

  log(`database ${harness.database}: migrating`);
  await harness.prepareStores();
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  cleanups.push(() => db.end());

  log('engine: starting');
  let engine = await createEngineApp(config);
  cleanups.push(() => engine?.close());
  await engine.init();
  const eventsQueue = new Queue(EVENTS_QUEUE, { connection: redisOptions(REDIS_URL, 'producer'), prefix });
  cleanups.push(() => eventsQueue.close());
  const scenarios = [
    ['rule with one http step', ruleScenario({ engine, db, eventsQueue, sourceId: 'bench-one', ruleId: 'one-step' })],
    [
      'rule with four steps (transform, http, transform, http)',
      ruleScenario({ engine, db, eventsQueue, sourceId: 'bench-four', ruleId: 'four-steps' }),
    ],
  ];

  // Interleaved rounds, so that a slow moment of the machine hits the baseline and the engine alike.
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    log(`round ${round}/${ROUNDS}: no-op BullMQ worker, concurrency ${concurrency}, ${NOOP_JOBS} jobs`);
    const results = [await measureNoopWorker(`round${round}`)];
    for (const [name, measure] of scenarios) {
      log(`round ${round}/${ROUNDS}: ${name}, ${EVENTS} events`);
      results.push(await measure());
    }
    rounds.push(results);
  }
  const requests = await receiver.count();
  const expectedRequests = (WARMUP + EVENTS * ROUNDS) * 3;
  if (requests !== expectedRequests) throw new Error(`the receiver got ${requests} requests, expected ${expectedRequests}`);

  log(`rule load: ${RULES} rules`);
  const load = await measureRuleLoad(engine);
  await engine.close();
  engine = undefined;
  log(`engine start-up with the ${RULES}-rule directory`);
  const [restarted, startMs] = await timed(() => createEngineApp(loadConfig({ ...env, HOOKFLOW_RULES_DIR: manyRulesDir })));
  await restarted.close();

  const [pgVersion, fsync, redisVersion] = await versions(harness.databaseUrl);
  const date = new Date().toISOString().slice(0, 10);
  const column = (index, pick) => rounds.map((results) => pick(results[index], results[0]));
  const summary = (values, format) => {
    const sorted = [...values].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)];
    return sorted.length > 1 ? `${format(median)} (${format(sorted[0])}–${format(sorted[sorted.length - 1])})` : format(median);
  };
  const percent = (value) => `${fmt(value * 100, 1)} %`;
  const row = (name, index, unit) =>
    `| ${name} | ${summary(
      column(index, (r) => r.perSecond),
      fmt,
    )} ${unit} | ` +
    `${
      index === 0
        ? '100 %'
        : summary(
            column(index, (r, noop) => r.perSecond / noop.perSecond),
            percent,
          )
    } | ` +
    `${summary(
      column(index, (r) => r.cpuMicrosPer),
      fmt,
    )} |`;
  const out = [
    `## ${date} — engine throughput and rule load (\`npm run bench:engine\`), commit ${commit()}`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model?.trim() ?? 'cpu'}), Node ${process.version}, PostgreSQL ${pgVersion.split(' ')[0]}` +
      ` (fsync ${fsync}) and Redis ${redisVersion} on 127.0.0.1, load average ${fmt(loadAtStart, 2)} at the start.`,
    `Engine concurrency ${concurrency} per queue (\`events\` and \`runs\`, HOOKFLOW_ENGINE_CONCURRENCY), database pool of`,
    `${config.database.poolSize}; ${ROUNDS} interleaved rounds of ${fmt(EVENTS)} events per scenario, after ${fmt(WARMUP)} warm-up events each.`,
    'Figures are the median of the rounds (range in brackets), each ratio taken against the no-op worker of its own round.',
    "Events are committed with the ingest's own repository and then queued in bulk on the `events` queue as ingest",
    'queues them (job id = event id), so the clock covers the engine alone: from queueing until the last run is',
    '`succeeded` in PostgreSQL (its `finished_at`). The http steps POST to a node:http receiver in a child process on',
    '127.0.0.1 (keep-alive, answers 200 at once). The baseline is a BullMQ Worker with an empty processor on a queue of',
    `its own, same Redis, same concurrency, draining ${fmt(NOOP_JOBS)} jobs added in bulk. CPU is that of this Node process (engine and`,
    'harness; PostgreSQL, Redis and the receiver are other processes).',
    '',
    '| scenario | per second | of the no-op worker | CPU µs per run/job |',
    '| --- | ---: | ---: | ---: |',
    row('no-op BullMQ worker (baseline)', 0, 'jobs'),
    ...scenarios.map(([name], index) => row(name, index + 1, 'runs')),
    '',
    `Rule load: ${fmt(RULES)} rules over 4 sources (4 files; \`events\` globs, a \`when\`, 1–3 templated http and`,
    'transform steps each), in this process with the engine running.',
    '',
    '| phase | ms |',
    '| --- | ---: |',
    `| validate (\`loadRulesDirectory\`: YAML, schema, expressions, templates) | ${fmt(load.validateMs)} |`,
    `| compile (\`compileRule\` × ${fmt(RULES)}) | ${fmt(load.compileMs)} |`,
    `| first sync into PostgreSQL (\`CatalogSyncService.sync\`, ${fmt(RULES)} new versions) | ${fmt(load.firstSyncMs)} |`,
    `| engine registry reload (read the active versions, compile) | ${fmt(load.reloadMs)} |`,
    `| unchanged directory again: validate | ${fmt(load.secondValidateMs)} |`,
    `| unchanged directory again: sync (0 new versions) | ${fmt(load.secondSyncMs)} |`,
    `| engine start-up with the directory, already synced (\`createEngineApp\`, warm process) | ${fmt(startMs)} |`,
    '',
    `Memory (heap after forced GC): the validated definitions ${mib(load.loadedHeap)}, the ${fmt(RULES)} compiled rules`,
    `${mib(load.compiledHeap)}; kept by the engine once synced and loaded (registry, definitions dropped)`,
    `${mib(load.retainedHeap)} of heap, RSS ${load.retainedRss >= 0 ? '+' : ''}${mib(load.retainedRss)}.`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  log(`done in ${fmt((Date.now() - startedAt) / 1_000, 1)} s`);
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
