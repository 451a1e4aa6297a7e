// The event store alone: rows/s that PostgreSQL takes into the `events` table through the same
// EventsRepository.insertIfAbsent ingest uses, by rows per statement (1 = a commit per delivery, as
// before group commit; larger = group commit) and by which secondary indexes the table carries.
// It shows what the database allows ingest, on this machine, before HTTP, verification and Redis.
// Run: npm run bench:store (builds first; needs PostgreSQL on 127.0.0.1).
// Uses databases of its own, removed at the end even on failure; stops by itself.
// Knobs: BENCH_STORE_ROWS (per case and round), BENCH_STORE_ROUNDS, BENCH_STORE_WRITERS (concurrent statements).
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { adminQuery, appendResults, commit, createHarness, fmt, machineLine, orderBody } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { EventsRepository, dataSourceOptions } = require('../dist/libs/persistence/src/index.js');
const { loadConfig } = require('../dist/libs/config/src/index.js');
const { DataSource } = require('typeorm');
const { v7: uuidv7 } = require('uuid');

const ROWS = Number(process.env.BENCH_STORE_ROWS ?? 6_000);
const ROUNDS = Number(process.env.BENCH_STORE_ROUNDS ?? 3);
const WRITERS = Number(process.env.BENCH_STORE_WRITERS ?? 4);
const harness = createHarness('store', 600);
const { log } = harness;
const loadAtStart = loadavg()[0];

/** Secondary indexes dropped per table variant (the primary key and the idempotency key always stay: ingest needs them). */
const FEED_AND_LISTING = [
  'idx_events_received_pending',
  'idx_events_received_at_id',
  'idx_events_source_received',
  'idx_events_insert_xid_id',
  'idx_events_source_insert_xid_id',
];
const VARIANTS = [
  { name: 'all indexes (as migrated)', drop: [] },
  { name: 'without the payload GIN index', drop: ['idx_events_payload'] },
  { name: 'primary and idempotency keys only', drop: ['idx_events_payload', ...FEED_AND_LISTING] },
];
const BATCHES = [1, 16, 64, 256];

function newEvent(index) {
  const body = orderBody(`ord_${index}_${uuidv7()}`);
  return {
    id: uuidv7(),
    sourceId: 'orders',
    idempotencyKey: `key-${uuidv7()}`,
    type: 'order.created',
    headers: { 'content-type': 'application/json', 'x-webhook-signature': 'sha256=00' },
    contentType: 'application/json',
    rawBody: Buffer.from(body),
    payload: JSON.parse(body),
    receivedAt: new Date(),
  };
}

/** Inserts `rows` events, `batch` per statement, `WRITERS` statements in flight; rows/s. */
async function measure(repository, rows, batch) {
  const events = Array.from({ length: rows }, (_, index) => newEvent(index));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < events.length) {
        const slice = events.slice(next, next + batch);
        next += batch;
        await repository.insertIfAbsent(slice);
      }
    }),
  );
  return rows / ((performance.now() - started) / 1_000);
}

async function prepareVariant(index, variant) {
  const database = `${harness.database}_${index}`;
  await adminQuery(`CREATE DATABASE "${database}"`);
  harness.cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  const url = `postgres://postgres@127.0.0.1:5432/${database}`;
  const config = loadConfig({ DATABASE_URL: url, HOOKFLOW_DB_POOL_SIZE: String(WRITERS + 1), HOOKFLOW_RULES_DIR: harness.tmp });
  const dataSource = new DataSource(dataSourceOptions(config));
  await dataSource.initialize();
  harness.cleanups.push(() => dataSource.destroy());
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.query(
    `INSERT INTO sources (id, provider, settings, secrets_encrypted, origin, enabled) VALUES ('orders', 'hmac', '{}', '\\x', 'yaml', true)`,
  );
  for (const name of variant.drop) await dataSource.query(`DROP INDEX ${name}`);
  return { ...variant, dataSource, repository: new EventsRepository(dataSource), url };
}

async function main() {
  log(`preparing ${VARIANTS.length} databases`);
  const variants = [];
  for (const [index, variant] of VARIANTS.entries()) variants.push(await prepareVariant(index, variant));
  const cases = [
    ...BATCHES.map((batch) => ({ variant: variants[0], batch })),
    ...variants.slice(1).map((variant) => ({ variant, batch: 64 })),
  ];
  const results = new Map(cases.map((entry) => [entry, []]));
  log('warm-up');
  for (const entry of cases) await measure(entry.variant.repository, 500, entry.batch);
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const entry of cases) {
      harness.checkDeadline('the measurements');
      await entry.variant.dataSource.query('TRUNCATE events CASCADE');
      await entry.variant.dataSource.query('CHECKPOINT');
      log(`round ${round}/${ROUNDS}: ${entry.variant.name}, ${entry.batch} row(s) per statement`);
      results.get(entry).push(await measure(entry.variant.repository, ROWS, entry.batch));
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const baseline = median(results.get(cases[0]));
  const lines = [
    `## ${new Date().toISOString().slice(0, 10)} — the event store alone (\`npm run bench:store\`), commit ${commit()}`,
    '',
    await machineLine(variants[0].url, loadAtStart),
    `${fmt(ROWS)} ~1.6 KB order events per case and round through \`EventsRepository.insertIfAbsent\` (one multi-row`,
    `INSERT … ON CONFLICT DO NOTHING per statement, autocommit), ${WRITERS} statements in flight, ${ROUNDS} interleaved`,
    'round(s) after a warm-up; the table is truncated and checkpointed before each case. Rows/s of the median round',
    '(range in brackets); ratios against one row per statement with every index, measured in the same run.',
    '',
    '| table | rows per statement | rows/s | of 1 row per statement |',
    '| --- | ---: | ---: | ---: |',
    ...cases.map((entry) => {
      const values = results.get(entry);
      const value = median(values);
      const range = `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
      return `| ${entry.variant.name} | ${entry.batch} | ${fmt(value)} (${range}) | ${fmt((value / baseline) * 100)} % |`;
    }),
    '',
  ];
  appendResults(lines);
}

try {
  await main();
} catch (error) {
  log(`failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
} finally {
  await harness.cleanUp();
}
