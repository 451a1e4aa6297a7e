// Durable ingest against a bare Node http server, measured in the same run: signed deliveries
// (hmac and stripe schemes) of a ~1.6 KB JSON body, 50 connections, then a fixed 1,000 req/s.
// Run: npm run bench:ingest (builds first; needs PostgreSQL and Redis on 127.0.0.1).
// The ingest is the built apps/ingest main in a process of its own (as in production), with a database
// and a Redis key prefix of its own, removed at the end even on failure; the bare server is another
// process; the load generator (undici Pool) runs here. Traffic only to 127.0.0.1, bounded in time
// (BENCH_INGEST_TIMEOUT_SECONDS). Appends a section to bench/RESULTS.md (BENCH_NO_APPEND=1: print only).
// Knobs: BENCH_INGEST_SECONDS (per closed-loop measurement), BENCH_INGEST_CONNECTIONS, BENCH_INGEST_RATE,
// BENCH_INGEST_RATE_SECONDS, BENCH_INGEST_ROUNDS; BENCH_CPU_PROF=1 profiles the ingest (bench/.out/).
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BARE_SERVER,
  appendResults,
  commit,
  createHarness,
  fmt,
  loadClosed,
  loadRate,
  machineLine,
  mark,
  newPool,
  profileDirFor,
  startApp,
  startScript,
  summarizeProfiles,
} from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const Stripe = require('stripe');

const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_INGEST_CONNECTIONS ?? 50);
const RATE = Number(process.env.BENCH_INGEST_RATE ?? 1_000);
const RATE_SECONDS = Number(process.env.BENCH_INGEST_RATE_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 2);
const WARMUP_SECONDS = 3;
const TIMEOUT_SECONDS = Number(process.env.BENCH_INGEST_TIMEOUT_SECONDS ?? 300);
const HMAC_SECRET = 'bench-secret-0123456789';
const STRIPE_SECRET = 'whsec_bench0123456789abcdefghijklmnop';
const harness = createHarness('ingest', TIMEOUT_SECONDS);
const { log } = harness;
const loadAtStart = loadavg()[0];
const runTag = `${process.pid}_${Date.now().toString(36)}`;

/** A ~1.6 KB order event; `id` unique per request, so every delivery is new (no duplicate short-cut). */
function bodyFor(i) {
  return JSON.stringify({
    id: `evt_${runTag}_${i}`,
    type: 'order.created',
    created: 1_763_900_000,
    customer: { id: 'cus_0001', email: 'zoe@example.com', name: 'Zoë Example' },
    currency: 'EUR',
    total: 1234.5,
    items: Array.from({ length: 18 }, (_, k) => ({
      sku: `SKU-${String(k).padStart(4, '0')}`,
      name: 'Zoë’s widget, large',
      qty: k + 1,
      price: 1234.5,
    })),
    shipping: { street: '1 Example Street', city: 'Exampleville', postcode: '12345', country: 'DE' },
  });
}
const BODY_BYTES = Buffer.byteLength(bodyFor(0));

const schemes = {
  hmac: (body) => ({ 'x-webhook-signature': `sha256=${createHmac('sha256', HMAC_SECRET).update(body).digest('hex')}` }),
  // Stripe's own SDK signs, independently of Hookflow's signer.
  stripe: (body) => ({
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: STRIPE_SECRET,
      timestamp: Math.floor(Date.now() / 1000),
    }),
  }),
};

/** Request i to `path`, signed by `scheme` (the bare server gets the very same requests). */
const requestsFor = (path, scheme) => (i) => {
  const body = bodyFor(`${scheme}_${i}`);
  return { path, method: 'POST', headers: { 'content-type': 'application/json', ...schemes[scheme](body) }, body };
};

async function main() {
  writeFileSync(
    join(harness.tmp, 'bench.yaml'),
    `sources:
  - { id: bench-hmac, provider: hmac, secrets: ['${HMAC_SECRET}'], eventType: payload.type, idempotencyKey: payload.id }
  - { id: bench-stripe, provider: stripe, secrets: ['${STRIPE_SECRET}'], eventType: payload.type, idempotencyKey: payload.id }
`,
  );
  log(`database ${harness.database}: creating and migrating`);
  await harness.prepareStores();
  const profileDir = profileDirFor('ingest');
  log('starting the ingest process and the bare server');
  const ingest = await startApp(harness, 'ingest', 'INGEST_PORT', { HOOKFLOW_RULES_DIR: harness.tmp }, { profileDir });
  const bare = await startScript(harness, 'bare server', BARE_SERVER);
  const targets = {
    bare: { pool: newPool(bare.url, CONNECTIONS) },
    ingest: { pool: newPool(ingest.url, CONNECTIONS) },
  };
  harness.cleanups.push(() => Promise.all(Object.values(targets).map(({ pool }) => pool.destroy().catch(() => undefined))));
  const cases = [
    ['bare Node http (hmac-signed requests)', 'bare', '/hooks/bench-hmac', 'hmac'],
    ['ingest, hmac', 'ingest', '/hooks/bench-hmac', 'hmac'],
    ['bare Node http (stripe-signed requests)', 'bare', '/hooks/bench-stripe', 'stripe'],
    ['ingest, stripe', 'ingest', '/hooks/bench-stripe', 'stripe'],
  ];
  let index = 0;
  const closed = new Map(cases.map(([name]) => [name, []]));
  const rated = new Map(cases.map(([name]) => [name, []]));
  for (const [name, target, path, scheme] of cases) {
    log(`warm-up ${WARMUP_SECONDS} s: ${name}`);
    const warm = await loadClosed({
      pool: targets[target].pool,
      connections: CONNECTIONS,
      seconds: WARMUP_SECONDS,
      makeRequest: requestsFor(path, scheme),
      startIndex: index,
    });
    index = warm.next;
    if (warm.errors > 0) throw new Error(`${name}: ${warm.errors} errors in the warm-up: ${JSON.stringify(warm.statuses)}`);
  }
  // Interleaved rounds, so that a slow moment of the machine hits the baseline and ingest alike.
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [name, target, path, scheme] of cases) {
      harness.checkDeadline(name);
      log(`round ${round}/${ROUNDS}: ${name}, ${CONNECTIONS} connections, ${SECONDS} s`);
      const result = await loadClosed({
        pool: targets[target].pool,
        connections: CONNECTIONS,
        seconds: SECONDS,
        makeRequest: requestsFor(path, scheme),
        startIndex: index,
      });
      index = result.next;
      closed.get(name).push(result);
      await sleep(1_000); // let the previous load's tail (e.g. the ingest's queue adds) settle
    }
    for (const [name, target, path, scheme] of cases) {
      harness.checkDeadline(name);
      log(`round ${round}/${ROUNDS}: ${name}, ${RATE} req/s for ${RATE_SECONDS} s`);
      const result = await loadRate({
        pool: targets[target].pool,
        rate: RATE,
        seconds: RATE_SECONDS,
        makeRequest: requestsFor(path, scheme),
        startIndex: index,
      });
      index = result.next;
      rated.get(name).push(result);
      await sleep(1_000);
    }
  }
  const machine = await machineLine(harness.databaseUrl, loadAtStart);
  await ingest.stop();
  const ingestFailed = /error/i.test(ingest.stderr()) ? ingest.stderr().trim().split('\n').slice(-3).join(' / ') : '';

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  /** The round with the median requests/s stands for the case; the range is shown beside it. */
  const pick = (results) => {
    const sorted = [...results].sort((a, b) => a.perSecond - b.perSecond);
    return { ...sorted[Math.floor(sorted.length / 2)], low: sorted[0].perSecond, high: sorted[sorted.length - 1].perSecond };
  };
  const range = (r) => (ROUNDS > 1 ? ` (${fmt(r.low)}–${fmt(r.high)})` : '');
  const ratios = {};
  for (const scheme of ['hmac', 'stripe']) {
    const bareName = `bare Node http (${scheme}-signed requests)`;
    const ingestName = `ingest, ${scheme}`;
    ratios[scheme] = median(closed.get(ingestName).map((r, i) => r.perSecond / closed.get(bareName)[i].perSecond));
  }
  const ms = (value) => fmt(value, 1);
  const closedRows = cases.map(([name, target, , scheme]) => {
    const r = pick(closed.get(name));
    return `| ${name} | ${fmt(r.perSecond)}${range(r)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} | ${
      target === 'bare' ? '100 %' : `${fmt(ratios[scheme] * 100, 1)} %`
    } |`;
  });
  const rateRows = cases.map(([name]) => {
    const r = [...rated.get(name)].sort((a, b) => a.p99 - b.p99)[Math.floor(rated.get(name).length / 2)];
    return `| ${name} | ${fmt(r.offered)} | ${fmt(r.count)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} |`;
  });
  const p99At = (scheme) => median(rated.get(`ingest, ${scheme}`).map((r) => r.p99));
  const errorsTotal = [...closed.values(), ...rated.values()].flat().reduce((sum, r) => sum + r.errors, 0);
  const statuses = [...closed.values(), ...rated.values()].flat().reduce((all, r) => ({ ...all, ...r.statuses }), {});
  const out = [
    `## ${new Date().toISOString().slice(0, 10)} — durable ingest against bare Node (\`npm run bench:ingest\`), commit ${commit()}`,
    '',
    machine,
    `Body ${fmt(BODY_BYTES)} bytes of JSON, a unique event id per request (every delivery is new: verified, committed to`,
    'PostgreSQL, then queued on BullMQ before the 202). The bare server is a node:http process that reads the body,',
    `JSON-parses it and answers 202; it gets the very same signed requests. ${ROUNDS} interleaved round(s) after a ${WARMUP_SECONDS} s`,
    `warm-up of each case; closed loop: ${CONNECTIONS} connections for ${SECONDS} s; fixed rate: ${fmt(RATE)} req/s for ${RATE_SECONDS} s`,
    '(open loop: latency from the send, queueing in the client included). Latencies in ms; the row shown is the',
    'median round (requests/s range in brackets); ratios are taken round by round against the bare server.',
    '',
    `| ${CONNECTIONS} connections | req/s | p50 | p99 | max | errors | of bare |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...closedRows,
    '',
    `| ${fmt(RATE)} req/s | offered/s | answered | p50 | p99 | max | errors |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rateRows,
    '',
    errorsTotal > 0 ? `Errors by status or code: ${JSON.stringify(statuses)}.` : 'No errors.',
    ...(ingestFailed ? [`Ingest stderr (last lines): ${ingestFailed}`] : []),
    '',
    'Targets (issue 6):',
    '',
    ...['hmac', 'stripe'].map(
      (scheme) =>
        `- ${scheme}: durable ingest ≥ 35 % of bare at ${CONNECTIONS} connections: ${fmt(ratios[scheme] * 100, 1)} % — ${mark(ratios[scheme] >= 0.35)};` +
        ` p99 ≤ 20 ms at ${fmt(RATE)} req/s: ${ms(p99At(scheme))} ms — ${mark(p99At(scheme) <= 20)}.`,
    ),
  ];
  if (profileDir)
    out.push(
      '',
      ...summarizeProfiles(
        profileDir,
        `CPU profile of the ingest process (whole run, \`${profileDir.slice(profileDir.indexOf('bench/'))}\`)`,
      ),
    );
  appendResults(out);
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
