import { ChildProcess, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse as parseYaml } from 'yaml';
import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { builtFile } from '../support/test-env';
import { TestStack } from '../support/test-stack';

const WHSEC = `whsec_${randomBytes(24).toString('base64')}`;
const SENDGRID_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .publicKey.export({ format: 'der', type: 'spki' })
  .toString('base64');

const SOURCES = [
  hmacSource('shop'),
  hmacSource('orders'),
  '  - { id: feed, provider: none }\n',
  `  - { id: gh, provider: github, secrets: ["${SECRET}"] }\n`,
  `  - { id: pay, provider: stripe, secrets: ["${SECRET}"] }\n`,
  `  - { id: chat, provider: slack, secrets: ["${SECRET}"] }\n`,
  `  - { id: store, provider: shopify, secrets: ["${SECRET}"] }\n`,
  `  - { id: std, provider: standard-webhooks, secrets: ["${WHSEC}"] }\n`,
  `  - { id: sv, provider: svix, secrets: ["${WHSEC}"] }\n`,
  `  - { id: sms, provider: twilio, secrets: ["${SECRET}"] }\n`,
  `  - { id: alerts, provider: meraki, secrets: ["${SECRET}"] }\n`,
  `  - { id: gate, provider: basic, username: hookflow, secrets: ["${SECRET}"] }\n`,
  `  - { id: token, provider: bearer, header: X-Api-Token, secrets: ["${SECRET}"] }\n`,
  `  - { id: custom, provider: hmac, header: X-Meter-Signature, algorithm: sha512, encoding: base64, timestampHeader: X-Sent-At, eventType: 'event.headers."x-kind"', secrets: ["${SECRET}"] }\n`,
  `  - { id: mail, provider: sendgrid, publicKey: "${SENDGRID_KEY}" }\n`,
];

/** The URL of a port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The built `hookflow` binary, run as a child process (asynchronously: the stack it talks to runs in this process). */
class CliRun {
  stdout = '';
  stderr = '';
  readonly done: Promise<CliResult>;
  readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [builtFile('apps/cli/src/main.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    this.done = new Promise((resolve) =>
      this.child.on('close', (status) => {
        clearTimeout(timeout);
        resolve({ status, stdout: this.stdout, stderr: this.stderr });
      }),
    );
  }
}

// Each CLI run starts a Node process (about a second): tests that make several need more than the default 5 s.
jest.setTimeout(30_000);

describe('the hookflow CLI against a running Hookflow', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let admin: AdminClient;
  let env: Record<string, string>;
  let workDir: string;

  beforeAll(async () => {
    // /fragile answers 400 (a run fails at once) until the test says otherwise.
    receiver = await TestReceiver.start();
    receiver.answer((index) => ({ status: receiver.requests[index]?.url === '/fragile' ? 400 : 200 }));
    stack = await TestStack.start({
      rules: { 'cli.yaml': rulesFile(SOURCES, [httpRule('fragile', 'orders', [{ id: 'post', url: `${receiver.url}/fragile` }])]) },
      admin: true,
    });
    const key = await stack.createApiKey('write');
    admin = new AdminClient(stack.adminUrl, key);
    env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOOKFLOW_ADMIN_URL: stack.adminUrl,
      HOOKFLOW_API_KEY: key,
      HOOKFLOW_INGEST_URL: stack.ingestUrl,
    };
    workDir = mkdtempSync(join(tmpdir(), 'hookflow-cli-'));
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    return new CliRun(args, { ...env, ...extraEnv }).done;
  }

  function file(name: string, content: string): string {
    const path = join(workDir, name);
    writeFileSync(path, content);
    return path;
  }

  async function storedEvent(eventId: string): Promise<{ source_id: string; type: string | null; payload: any }> {
    const [row] = await stack.query<{ source_id: string; type: string | null; payload: any }>(
      'SELECT source_id, type, payload FROM events WHERE id = $1',
      [eventId],
    );
    return row!;
  }

  function answerOf(result: CliResult): { status: string; body: any } {
    const [status = '', ...rest] = result.stdout.trimEnd().split('\n');
    return { status, body: JSON.parse(rest.join('\n')) };
  }

  describe('send', () => {
    it('signs a file with the source scheme, posts it to ingest and prints the answer', async () => {
      const body = orderEvent();
      const result = await cli(['send', '--source', 'shop', '--file', file('order.json', body), '--secret', SECRET]);
      expect(result).toMatchObject({ status: 0, stderr: '' });
      const answer = answerOf(result);
      expect(answer.status).toBe('202 Accepted');
      const event = await storedEvent(answer.body.eventId);
      expect(event).toMatchObject({ source_id: 'shop', type: 'order.created', payload: JSON.parse(body) });
    });

    it.each([
      ['gh', 'pull_request.opened', JSON.stringify({ action: 'opened', number: 7 }), 'pull_request.opened'],
      ['store', 'orders/create', JSON.stringify({ id: 820982911946154500 }), 'orders/create'],
      ['custom', 'meter.read', JSON.stringify({ reading: 42 }), 'meter.read'],
      ['shop', 'order.refunded', orderEvent({ type: 'order.created' }), 'order.refunded'],
    ])('puts --event-type where source %s reads it (%s)', async (source, eventType, body, stored) => {
      const result = await cli(['send', '--source', source, '--file', file(`${source}.json`, body), '--event-type', eventType], {
        HOOKFLOW_SEND_SECRET: SECRET,
      });
      expect(result.status).toBe(0);
      expect((await storedEvent(answerOf(result).body.eventId)).type).toBe(stored);
    });

    it.each([
      [
        'pay',
        SECRET,
        JSON.stringify({ id: `evt_${randomBytes(6).toString('hex')}`, type: 'payment_intent.succeeded' }),
        'application/json',
      ],
      [
        'chat',
        SECRET,
        JSON.stringify({ type: 'event_callback', event: { type: 'app_mention' }, event_id: `Ev${Date.now()}` }),
        'application/json',
      ],
      ['std', WHSEC, JSON.stringify({ type: 'invoice.paid', id: 1 }), 'application/json'],
      ['sv', WHSEC, JSON.stringify({ type: 'invoice.paid', id: 2 }), 'application/json'],
      [
        'sms',
        SECRET,
        new URLSearchParams({ MessageSid: 'SM1', Body: 'Hi & bye', SmsStatus: 'received' }).toString(),
        'application/x-www-form-urlencoded',
      ],
      ['sms', SECRET, JSON.stringify({ EventType: 'onMessageAdded', Body: 'Hi' }), 'application/json'],
      ['gate', SECRET, JSON.stringify({ type: 'ping' }), 'application/json'],
      ['token', SECRET, JSON.stringify({ type: 'ping' }), 'application/json'],
      ['feed', '', JSON.stringify({ type: 'ping' }), 'application/json'],
    ])('makes a delivery that source %s accepts', async (source, secret, body, contentType) => {
      const args = ['send', '--source', source, '--file', file(`${source}-body`, body), '--content-type', contentType];
      const result = await cli(secret === '' ? args : [...args, '--secret', secret]);
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(answerOf(result).status).toBe('202 Accepted');
    });

    it('puts the Meraki shared secret in the body it sends, and nothing of it is stored', async () => {
      const result = await cli([
        'send',
        '--source',
        'alerts',
        '--file',
        file('alert.json', '{"alertId":"a1","alertType":"APs went down"}'),
        '--secret',
        SECRET,
      ]);
      expect(result.status).toBe(0);
      const event = await storedEvent(answerOf(result).body.eventId);
      expect(event).toMatchObject({ type: 'APs went down', payload: { alertId: 'a1', alertType: 'APs went down' } });
      expect(JSON.stringify(event)).not.toContain(SECRET);
    });

    it('prints the refusal and exits 1 when the secret is not the source, after a warning that says so', async () => {
      const result = await cli(['send', '--source', 'shop', '--file', file('wrong.json', orderEvent()), '--secret', 'not-the-secret']);
      const fingerprint = createHash('sha256').update('not-the-secret').digest('hex').slice(0, 12);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^warning: the secret's fingerprint ${fingerprint} is none of source "shop"'s \\([0-9a-f]{12}, [0-9a-f]{12}\\)`),
      );
      expect(answerOf(result)).toMatchObject({ status: '401 Unauthorized', body: { error: 'signature_mismatch' } });
    });

    it('refuses a sendgrid source, whose private key only SendGrid has', async () => {
      const result = await cli(['send', '--source', 'mail', '--file', file('mail.json', '[]'), '--secret', SECRET]);
      expect(result).toMatchObject({
        status: 1,
        stdout: '',
        stderr:
          'hookflow: cannot sign for source "mail": sendgrid deliveries are signed with SendGrid\'s ECDSA private key, which Hookflow never has (the source holds only the public verification key): use the test button of SendGrid\'s Event Webhook settings instead\n',
      });
    });

    it('explains each mistake in one line and exits 1 (2 for usage)', async () => {
      const order = file('plain.json', orderEvent());
      expect(await cli(['send', '--source', 'shop', '--file', order])).toMatchObject({
        status: 1,
        stderr:
          'hookflow: give a secret of source "shop" to sign with: --secret <secret> or HOOKFLOW_SEND_SECRET (the API never shows secrets)\n',
      });
      expect(await cli(['send', '--source', 'shop', '--file', join(workDir, 'missing.json'), '--secret', SECRET])).toMatchObject({
        status: 1,
        stderr: `hookflow: cannot read ${join(workDir, 'missing.json')}: ENOENT\n`,
      });
      const unknown = await cli(['send', '--source', 'nope', '--file', order, '--secret', SECRET]);
      expect(unknown).toMatchObject({ status: 1, stderr: 'hookflow: source "nope" does not exist\n' });
      expect(await cli(['send', '--source', 'chat', '--file', order, '--secret', SECRET, '--event-type', 'x'])).toMatchObject({
        status: 1,
        stderr: expect.stringMatching(
          /^hookflow: cannot set the event type: source "chat" reads it with `.*`; put the type in the file instead\n$/,
        ),
      });
      expect(await cli(['send', '--source', 'shop', '--file', order], { HOOKFLOW_API_KEY: '' })).toMatchObject({
        status: 1,
        stderr: 'hookflow: no API key: pass --api-key or set HOOKFLOW_API_KEY (create one with `hookflow apikey create`)\n',
      });
      const closedUrl = await closedPortUrl();
      expect(await cli(['send', '--source', 'shop', '--file', order, '--secret', SECRET], { HOOKFLOW_ADMIN_URL: closedUrl })).toMatchObject(
        {
          status: 1,
          stderr: `hookflow: cannot reach the admin API at ${closedUrl} (ECONNREFUSED); set --url or HOOKFLOW_ADMIN_URL\n`,
        },
      );
      expect((await cli(['send', '--file', order])).status).toBe(2);
    });
  });

  describe('events tail', () => {
    it('prints each event that arrives after it starts, as JSON lines, and stops after --max', async () => {
      const before = await deliver(stack.ingestUrl, 'feed', JSON.stringify({ type: 'before' }));
      expect(before.status).toBe(202);
      // Served by the feed already, so behind the head the tail starts from.
      await waitFor(async () =>
        (await admin.get<{ items: { id: string }[] }>('/events?order=asc&source=feed&limit=500')).body.items.some(
          (event) => event.id === before.body.eventId,
        ),
      );
      const tail = new CliRun(['events', 'tail', '--source', 'feed', '--json', '--max', '2', '--interval', '100ms'], env);
      await waitFor(() => tail.stderr.includes('following new events of source "feed"'), 15_000, 'the tail to start');
      const ids: string[] = [];
      for (const type of ['first', 'second', 'third'])
        ids.push(String((await deliver(stack.ingestUrl, 'feed', JSON.stringify({ type }))).body.eventId));

      const result = await tail.done;
      expect(result.status).toBe(0);
      const lines = result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((event) => [event.id, event.sourceId, event.type])).toEqual([
        [ids[0], 'feed', 'first'],
        [ids[1], 'feed', 'second'],
      ]);
    });

    it('prints a line per event from --since, and stops cleanly on Ctrl-C', async () => {
      const since = new Date(Date.now() - 1_000).toISOString();
      const { body } = await deliver(stack.ingestUrl, 'feed', JSON.stringify({ type: 'line.shown' }));
      const tail = new CliRun(['events', 'tail', '--source', 'feed', '--since', since, '--interval', '100ms'], env);
      await waitFor(() => tail.stdout.includes(String(body.eventId)), 15_000, 'the event line');
      tail.child.kill('SIGINT');
      const result = await tail.done;
      expect(result.status).toBe(0);
      const line = result.stdout.split('\n').find((text) => text.includes(String(body.eventId)));
      expect(line).toMatch(
        new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z  feed  line\\.shown  (received|dispatched|unmatched)  ${String(body.eventId)}$`),
      );
    });

    it('prints an event that commits after it started with an earlier receive time, with its payload on --payload', async () => {
      // Every event of the source already committed is served first, so the tail's head is past them.
      await waitFor(
        async () => (await admin.get<{ heldBack?: unknown }>('/events?order=asc&source=feed&limit=500')).body.heldBack === undefined,
      );
      const writer = new Client({ connectionString: stack.databaseUrl });
      await writer.connect();
      try {
        const lateId = randomUUID();
        await writer.query('BEGIN');
        await writer.query(
          `INSERT INTO events (id, source_id, idempotency_key, type, status, headers, content_type, raw_body, payload, received_at)
           VALUES ($1, 'feed', $2, 'late.commit', 'received', '{}', 'application/json', $3, $4, now() - interval '1 minute')`,
          [lateId, `late-${lateId}`, Buffer.from('{}'), JSON.stringify({ type: 'late.commit', note: 'slow' })],
        );
        const tail = new CliRun(['events', 'tail', '--source', 'feed', '--json', '--payload', '--max', '1', '--interval', '100ms'], env);
        await waitFor(() => tail.stderr.includes('following new events of source "feed"'), 15_000, 'the tail to start');
        await writer.query('COMMIT');

        const result = await tail.done;
        expect(result.status).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({
          id: lateId,
          sourceId: 'feed',
          type: 'late.commit',
          payload: { type: 'late.commit', note: 'slow' },
        });
      } finally {
        await writer.end();
      }
    });

    it('refuses a bad option value as a usage error', async () => {
      expect((await cli(['events', 'tail', '--max', '0'])).status).toBe(2);
      expect((await cli(['events', 'tail', '--since', 'yesterday-ish'])).status).toBe(2);
    });
  });

  describe('dead-letters', () => {
    const bodies: string[] = [];

    beforeAll(async () => {
      for (let index = 0; index < 3; index++) {
        const body = orderEvent({ total: 100 + index });
        bodies.push(body);
        expect((await deliver(stack.ingestUrl, 'orders', body, { secret: SECRET })).status).toBe(202);
      }
      await waitFor(async () => (await admin.get('/dead-letters?rule=fragile')).body.items.length === 3, 15_000, 'three dead letters');
      receiver.answer(() => ({ status: 200 }));
    });

    const fragileReceived = (): string[] =>
      receiver.requests.filter((request) => request.url === '/fragile').map((request) => request.body);

    it('lists them as a table or as JSON', async () => {
      const json = await cli(['dead-letters', 'list', '--rule', 'fragile', '--json']);
      expect(json.status).toBe(0);
      const items = JSON.parse(json.stdout) as { ruleId: string; status: string; cause: string }[];
      expect(items).toHaveLength(3);
      expect(items.every((item) => item.ruleId === 'fragile' && item.status === 'pending' && item.cause === 'destination_4xx')).toBe(true);

      const table = await cli(['dead-letters', 'list', '--rule', 'fragile', '--status', 'pending']);
      const [header, ...rows] = table.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^id\s+ruleId\s+sourceId\s+cause\s+status\s+createdAt\s+error$/);
      expect(rows).toHaveLength(3);
      expect(rows.every((row) => /^[0-9a-f-]{36}\s+fragile\s+orders\s+destination_4xx\s+pending\s/.test(row))).toBe(true);

      expect(await cli(['dead-letters', 'list', '--rule', 'nothing-here'])).toMatchObject({ status: 0, stdout: '(none)\n' });
      expect((await cli(['dead-letters', 'list', '--status', 'lost'])).status).toBe(2);
    });

    it('replays one by id', async () => {
      const [first] = (await admin.get('/dead-letters?rule=fragile&status=pending')).body.items;
      const result = await cli(['dead-letters', 'replay', first.id]);
      expect(result.status).toBe(0);
      const runId = /^replayed dead letter [0-9a-f-]{36} as run ([0-9a-f-]{36})\n$/.exec(result.stdout)?.[1];
      expect(runId).toBeDefined();
      await waitFor(
        async () => (await admin.get(`/dead-letters/${first.id}`)).body.status === 'resolved',
        15_000,
        'the dead letter resolved',
      );
      expect((await cli(['dead-letters', 'replay', first.id])).status).toBe(1);
    });

    it('replays the rest in bulk after a dry-run count, with a line per dead letter, and only with confirmation', async () => {
      const unconfirmed = await cli(['dead-letters', 'replay', '--all', '--rule', 'fragile']);
      expect(unconfirmed).toMatchObject({
        status: 1,
        stdout: '2 pending dead letters match\n',
        stderr: 'hookflow: not replaying without confirmation: run it on a terminal, or add --yes\n',
      });

      const result = await cli(['dead-letters', 'replay', '--all', '--rule', 'fragile', '--yes']);
      expect(result.status).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('2 pending dead letters match');
      expect(lines[1]).toMatch(/^\[1\/2\] dead letter [0-9a-f-]{36} replayed as run [0-9a-f-]{36}$/);
      expect(lines[2]).toMatch(/^\[2\/2\] dead letter [0-9a-f-]{36} replayed as run [0-9a-f-]{36}$/);
      expect(lines[3]).toBe('replayed 2, failed 0');

      await waitFor(
        async () => (await admin.get('/dead-letters?rule=fragile&status=resolved')).body.items.length === 3,
        15_000,
        'every dead letter resolved',
      );
      // Each payload reached the fixed receiver exactly once (the failed tries answered 400 before the fix).
      const delivered = fragileReceived()
        .slice(-3)
        .map((body) => JSON.parse(body).order);
      expect(delivered.sort()).toEqual(bodies.map((body) => JSON.parse(body).id).sort());
      expect(await cli(['dead-letters', 'replay', '--all', '--rule', 'fragile', '--yes'])).toMatchObject({
        status: 0,
        stdout: '0 pending dead letters match\n',
      });
    });

    it('needs exactly one of an id and --all', async () => {
      expect(await cli(['dead-letters', 'replay'])).toMatchObject({
        status: 2,
        stderr: expect.stringContaining('give either a dead letter id or --all'),
      });
      expect((await cli(['dead-letters', 'replay', 'some-id', '--all'])).status).toBe(2);
    });
  });

  describe('apply and export', () => {
    function rulesDir(name: string, files: Record<string, string>): string {
      const dir = join(workDir, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [fileName, content] of Object.entries(files)) writeFileSync(join(dir, fileName), content);
      return dir;
    }

    const appliedFiles = {
      'applied.yaml': rulesFile(
        ['  - id: applied\n    provider: hmac\n    secrets: ["${APPLIED_SECRET}"]\n    expectEvery: 1h\n'],
        [httpRule('applied-rule', 'applied', [{ id: 'post', url: 'https://example.com/applied' }])],
      ),
    };

    it('creates, then updates, each source and rule of a directory, with a line per item', async () => {
      const dir = rulesDir('apply-ok', appliedFiles);
      const created = await cli(['apply', dir], { APPLIED_SECRET: 'applied-secret-0123456789' });
      expect(created).toMatchObject({
        status: 0,
        stdout: '[1/2] source applied: created\n[2/2] rule applied-rule: created\napplied 2 of 2\n',
      });
      const source = await admin.get('/sources/applied');
      expect(source.body).toMatchObject({ id: 'applied', provider: 'hmac', origin: 'api', settings: { expectEvery: '1h' } });
      expect(source.body.secrets.map((secret: { fingerprint: string }) => secret.fingerprint)).toEqual([
        createHash('sha256').update('applied-secret-0123456789').digest('hex').slice(0, 12),
      ]);
      expect((await admin.get('/rules/applied-rule')).body).toMatchObject({ source: 'applied', origin: 'api' });

      const updated = await cli(['apply', dir], { APPLIED_SECRET: 'applied-secret-0123456789' });
      expect(updated).toMatchObject({
        status: 0,
        stdout: '[1/2] source applied: updated\n[2/2] rule applied-rule: updated\napplied 2 of 2\n',
      });
    });

    it('reports a rule naming a variable the server does not expose to the API as refused, with the reason', async () => {
      const dir = rulesDir('apply-unexposed', {
        'leaky.yaml': rulesFile(
          ['  - { id: leaky-source, provider: none }\n'],
          [httpRule('leaky', 'leaky-source', [{ id: 'post', url: '${LEAK_TARGET}/collect' }])],
        ),
      });
      const result = await cli(['apply', dir], { LEAK_TARGET: 'https://attacker.example' });

      expect(result).toMatchObject({
        status: 1,
        stdout:
          '[1/2] source leaky-source: created\n' +
          '[2/2] rule leaky: refused: the rule definition is not valid\n' +
          '  steps.0.url: steps.0.url: variable ${LEAK_TARGET} is not exposed to the admin API: an operator may list it in HOOKFLOW_API_VARIABLES\n' +
          'applied 1 of 2, 1 refused\n',
      });
      expect((await admin.get('/rules/leaky')).status).toBe(404);
    });

    it('reports items managed by YAML and goes on, exiting 1', async () => {
      const dir = rulesDir('apply-yaml', {
        'mixed.yaml': rulesFile([hmacSource('shop'), '  - { id: second, provider: none }\n'], []),
      });
      const result = await cli(['apply', dir]);
      expect(result.status).toBe(1);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        '[1/2] source shop: not applied, managed by YAML: source "shop" is defined in the rules directory (HOOKFLOW_RULES_DIR) and read-only through the API: edit its file instead',
      );
      expect(lines.slice(1)).toEqual(['[2/2] source second: created', 'applied 1 of 2, 1 refused']);
    });

    it('validates the directory first, with the messages of start-up, and applies nothing when it is invalid', async () => {
      const dir = rulesDir('apply-bad', { 'bad.yaml': 'sources:\n  - id: broken\n    provider: carrier-pigeon\n' });
      const applied = await cli(['apply', dir]);
      const validated = await cli(['validate', '--offline', dir]);
      expect(applied).toMatchObject({ status: 1, stdout: '' });
      expect(applied.stderr).toBe(validated.stderr);
      expect(applied.stderr).toContain('bad.yaml:3:15: sources.0.provider: must be one of github, stripe');
      expect((await admin.get('/sources/broken')).status).toBe(404);
    });

    it('exports every source and rule as files that validate accepts, secrets as variables', async () => {
      const out = join(workDir, 'exported');
      const result = await cli(['export', '--out', out]);
      expect(result).toMatchObject({
        status: 0,
        stdout: expect.stringMatching(/^wrote \d+ source\(s\) to .*sources\.yaml and \d+ rule\(s\) to .*rules\.yaml\n$/),
      });

      const sourcesYaml = readFileSync(join(out, 'sources.yaml'), 'utf8');
      expect(sourcesYaml).toContain('# Secrets cannot be exported (the API never returns them)');
      expect(sourcesYaml).not.toContain(SECRET);
      expect(sourcesYaml).not.toContain(WHSEC);
      const sources = parseYaml(sourcesYaml).sources as Record<string, unknown>[];
      expect(sources.find((source) => source.id === 'shop')).toEqual({
        id: 'shop',
        provider: 'hmac',
        secrets: ['${SOURCE_SHOP_SECRET}'],
        eventType: 'payload.type',
        idempotencyKey: 'payload.id',
      });
      expect(sources.find((source) => source.id === 'mail')).toEqual({ id: 'mail', provider: 'sendgrid', publicKey: SENDGRID_KEY });
      expect(sources.find((source) => source.id === 'applied')).toMatchObject({ expectEvery: '1h', secrets: ['${SOURCE_APPLIED_SECRET}'] });
      const rules = parseYaml(readFileSync(join(out, 'rules.yaml'), 'utf8')).rules as Record<string, any>[];
      expect(rules.find((rule) => rule.id === 'fragile')).toMatchObject({
        id: 'fragile',
        source: 'orders',
        events: ['order.*'],
        steps: [{ id: 'post', type: 'http', method: 'POST', url: `${receiver.url}/fragile` }],
      });

      const variables = Object.fromEntries(
        sources
          .filter((source) => source.secrets)
          .map((source) => [
            `SOURCE_${String(source.id)
              .toUpperCase()
              .replace(/[^A-Z0-9]/g, '_')}_SECRET`,
            WHSEC,
          ]),
      );
      const validated = await cli(['validate', '--offline', out], variables);
      expect(validated).toMatchObject({ status: 0, stdout: `ok: ${sources.length} source(s), ${rules.length} rule(s)\n` });

      const printed = await cli(['export']);
      expect(printed.status).toBe(0);
      expect(parseYaml(printed.stdout)).toEqual({ sources, rules });
    });
  });
  describe('keygen', () => {
    it('prints a random key of 32 bytes, base64url', async () => {
      const [first, second] = [await cli(['keygen']), await cli(['keygen'])];

      expect(first).toMatchObject({ status: 0, stdout: expect.stringMatching(/^[A-Za-z0-9_-]{43}\n$/), stderr: '' });
      expect(second.stdout).not.toBe(first.stdout);
    });

    it('creates a key file readable by its owner only, keeps an existing one, and the apps take it in production', async () => {
      const keyFile = join(workDir, 'keys', 'nested', 'master-key');

      expect(await cli(['keygen', '--file', keyFile])).toMatchObject({
        status: 0,
        stdout: `hookflow: created a new master key in ${keyFile}\n`,
      });
      const key = readFileSync(keyFile, 'utf8');
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(workDir, 'keys', 'nested'))).toEqual(['master-key']);

      expect(await cli(['keygen', '--file', keyFile])).toMatchObject({
        status: 0,
        stdout: `hookflow: kept the master key already in ${keyFile}\n`,
      });
      expect(readFileSync(keyFile, 'utf8')).toBe(key);

      const dir = join(workDir, 'keygen-rules');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'empty.yaml'), 'sources: []\n');
      expect(await cli(['validate', '--offline', dir], { NODE_ENV: 'production', HOOKFLOW_MASTER_KEY_FILE: keyFile })).toMatchObject({
        status: 0,
        stdout: 'ok: 0 source(s), 0 rule(s)\n',
      });
      expect(
        await cli(['validate', '--offline', dir], {
          NODE_ENV: 'production',
          HOOKFLOW_MASTER_KEY_FILE: keyFile,
          HOOKFLOW_MASTER_KEY: 'k'.repeat(32),
        }),
      ).toMatchObject({
        status: 1,
        stderr: expect.stringContaining('HOOKFLOW_MASTER_KEY and HOOKFLOW_MASTER_KEY_FILE are both set: set only one of them'),
      });
    });

    it('leaves an existing file that holds no usable key alone, and fails', async () => {
      const keyFile = file('short-key', 'too-short\n');

      expect(await cli(['keygen', '--file', keyFile])).toMatchObject({
        status: 1,
        stderr: expect.stringContaining(`${keyFile} exists but holds no key of at least 32 characters; it is left alone`),
      });
      expect(readFileSync(keyFile, 'utf8')).toBe('too-short\n');
    });
  });
});
