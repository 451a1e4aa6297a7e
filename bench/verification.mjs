// Verification cost per provider scheme (µs per verify) and its share of a durable ingest request.
// Run: npm run bench:verify (builds first; needs PostgreSQL and Redis on 127.0.0.1 for the share).
// Sends traffic only to 127.0.0.1, a fixed number of requests, and stops by itself.
import { createHmac, createHash, generateKeyPairSync, sign, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { verifierFor } = require('../dist/libs/verification/src/index.js');

const VERIFY_ITERATIONS = Number(process.env.BENCH_VERIFY_ITERATIONS ?? 20_000);
const INGEST_REQUESTS = Number(process.env.BENCH_INGEST_REQUESTS ?? 2_000);
const body = Buffer.from(
  JSON.stringify({
    id: 'evt_1',
    type: 'order.created',
    items: Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${i}`, name: 'Zoë’s widget', qty: i, price: 1234.5 })),
  }),
);
const now = new Date();
const ts = String(Math.floor(now.getTime() / 1000));
const secret = 'bench-secret-0123456789';
const whsec = `whsec_${randomBytes(24).toString('base64')}`;
const hex = (alg, key, data) => createHmac(alg, key).update(data).digest('hex');
const b64 = (alg, key, data) => createHmac(alg, key).update(data).digest('base64');
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const url = 'https://hooks.example.com/hooks/bench';
const twilioUrl = `${url}?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
const stdKey = Buffer.from(whsec.slice(6), 'base64');
const stdSig = `v1,${createHmac('sha256', stdKey).update(`msg_1.${ts}.`).update(body).digest('base64')}`;
const meraki = Buffer.from(JSON.stringify({ sharedSecret: secret, alertType: 'x', alertId: '1' }));

/** provider → [headers, settings, secrets, body, url] of one valid delivery */
const cases = {
  hmac: [{ 'x-webhook-signature': `sha256=${hex('sha256', secret, body)}` }, {}, [secret]],
  github: [{ 'x-hub-signature-256': `sha256=${hex('sha256', secret, body)}` }, {}, [secret]],
  stripe: [{ 'stripe-signature': `t=${ts},v1=${createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex')}` }, {}, [secret]],
  slack: [
    {
      'x-slack-request-timestamp': ts,
      'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(body).digest('hex')}`,
    },
    {},
    [secret],
  ],
  shopify: [{ 'x-shopify-hmac-sha256': b64('sha256', secret, body) }, {}, [secret]],
  twilio: [{ 'content-type': 'application/json', 'x-twilio-signature': b64('sha1', secret, twilioUrl) }, {}, [secret], body, twilioUrl],
  sendgrid: [
    {
      'x-twilio-email-event-webhook-timestamp': ts,
      'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.concat([Buffer.from(ts), body]), ec.privateKey).toString('base64'),
    },
    { publicKey: ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
    [],
  ],
  'standard-webhooks': [{ 'webhook-id': 'msg_1', 'webhook-timestamp': ts, 'webhook-signature': stdSig }, {}, [whsec]],
  svix: [{ 'svix-id': 'msg_1', 'svix-timestamp': ts, 'svix-signature': stdSig }, {}, [whsec]],
  basic: [{ authorization: `Basic ${Buffer.from(`bench:${secret}`).toString('base64')}` }, { username: 'bench' }, [secret]],
  bearer: [{ authorization: `Bearer ${secret}` }, {}, [secret]],
  meraki: [{}, {}, [secret], meraki],
  none: [{}, {}, []],
};

function measureVerify(provider) {
  const verifier = verifierFor(provider);
  if (!verifier) return undefined;
  const [headers, settings, secrets, rawBody = body, requestUrl = url] = cases[provider];
  const request = { rawBody, headers, url: requestUrl, receivedAt: now };
  const source = { id: 'bench', provider, secrets, settings };
  const verdict = verifier.verify(request, source);
  if (!verdict.ok) throw new Error(`${provider}: the bench delivery was rejected: ${verdict.reason} ${verdict.detail}`);
  for (let i = 0; i < 1_000; i += 1) verifier.verify(request, source); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < VERIFY_ITERATIONS; i += 1) verifier.verify(request, source);
  return Number(process.hrtime.bigint() - started) / 1_000 / VERIFY_ITERATIONS;
}

async function measureIngestRequestMicros() {
  const { loadConfig } = require('../dist/libs/config/src/index.js');
  const { createIngestApp } = require('../dist/apps/ingest/src/index.js');
  const database = `hookflow_bench_${process.pid}`;
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const rulesDir = mkdtempSync(join(tmpdir(), 'hookflow-bench-'));
  writeFileSync(
    join(rulesDir, 'bench.yaml'),
    `sources:\n  - { id: bench, provider: hmac, secrets: ["${secret}"], idempotencyKey: payload.id }\n`,
  );
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
    HOOKFLOW_RULES_DIR: rulesDir,
    HOOKFLOW_REDIS_PREFIX: `hf-bench-${process.pid}`,
  };
  execFileSync(process.execPath, ['dist/apps/cli/src/main.js', 'migrate'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const app = await createIngestApp(loadConfig(env));
  await app.listen(0, '127.0.0.1');
  const target = `http://127.0.0.1:${app.getHttpServer().address().port}/hooks/bench`;
  try {
    const send = async (i) => {
      const payload = Buffer.from(body.toString().replace('evt_1', `evt_${i}`));
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-signature': `sha256=${hex('sha256', secret, payload)}` },
        body: payload,
      });
      if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
      await response.arrayBuffer();
    };
    for (let i = 0; i < 200; i += 1) await send(-i - 1); // warm-up
    const started = process.hrtime.bigint();
    for (let i = 0; i < INGEST_REQUESTS; i += 1) await send(i);
    return Number(process.hrtime.bigint() - started) / 1_000 / INGEST_REQUESTS;
  } finally {
    await app.close();
    rmSync(rulesDir, { recursive: true, force: true });
    execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`], { stdio: 'ignore' });
  }
}

const results = Object.keys(cases)
  .map((provider) => [provider, measureVerify(provider)])
  .filter(([, micros]) => micros !== undefined);
const ingestMicros = process.env.BENCH_SKIP_INGEST ? undefined : await measureIngestRequestMicros();
console.log(
  `# verification cost — ${new Date().toISOString()}, node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, body ${body.length} B`,
);
console.log(
  ingestMicros
    ? `ingest request (hmac, sequential, committed + queued): ${ingestMicros.toFixed(0)} µs mean over ${INGEST_REQUESTS}`
    : 'ingest request: skipped',
);
console.log('| provider | µs per verify | share of an ingest request |');
console.log('| --- | ---: | ---: |');
for (const [provider, micros] of results) {
  console.log(`| ${provider} | ${micros.toFixed(2)} | ${ingestMicros ? `${((micros / ingestMicros) * 100).toFixed(2)} %` : '—'} |`);
}
process.exit(0);
