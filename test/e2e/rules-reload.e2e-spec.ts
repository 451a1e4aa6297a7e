import { RulesDirectoryService, RulesReloadOutcome } from '@hookflow/rules';
import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

/** A changed rules directory is picked up while running; a bad edit changes nothing. */
describe('rules reload', () => {
  let stack: TestStack;
  let receiver: TestReceiver;

  const shopRules = (path: string): string =>
    rulesFile([hmacSource('shop'), hmacSource('billing')], [httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}${path}` }])]);

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start({ rules: { 'shop.yaml': shopRules('/v1') }, admin: true });
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  /** Reloads as an admin call would: the engine's directory service, awaited. */
  const reloadEngine = (): Promise<RulesReloadOutcome> => stack.engine!.get(RulesDirectoryService).reload('test');

  async function deliverAndWait(source: string): Promise<{ eventId: string; status: string; versions: number[] }> {
    const answer = await deliver(stack.ingestUrl, source, orderEvent(), { secret: SECRET });
    expect(answer.status).toBe(202);
    const eventId = String(answer.body.eventId);
    return waitFor(async () => {
      const [event] = await stack.query<{ status: string }>('SELECT status FROM events WHERE id = $1', [eventId]);
      const runs = await stack.query<{ status: string; rule_version: number }>(
        'SELECT status, rule_version FROM runs WHERE event_id = $1',
        [eventId],
      );
      if (event?.status === 'received' || runs.some((run) => run.status !== 'succeeded')) return undefined;
      return { eventId, status: event!.status, versions: runs.map((run) => run.rule_version) };
    });
  }

  it('reloads on SIGHUP: the changed rule gets a new version, and new runs use it', async () => {
    const before = receiver.requests.length;
    expect((await deliverAndWait('shop')).versions).toEqual([1]);
    expect(receiver.requests.slice(before).map((request) => request.url)).toEqual(['/v1']);

    stack.writeRules({ 'shop.yaml': shopRules('/v2') });
    process.emit('SIGHUP', 'SIGHUP');
    await waitFor(() => (stack.engine!.get(RulesDirectoryService).lastReload?.status === 'reloaded' ? true : undefined));

    const [rule] = await stack.query<{ current_version: number }>("SELECT current_version FROM rules WHERE id = 'notify'");
    expect(rule?.current_version).toBe(2);
    const requests = receiver.requests.length;
    expect((await deliverAndWait('shop')).versions).toEqual([2]);
    expect(receiver.requests.slice(requests).map((request) => request.url)).toEqual(['/v2']);
  });

  it('keeps the last good rules when an edit is bad, and reports every problem with its place', async () => {
    stack.writeRules({
      'shop.yaml': `${shopRules('/v3')}  - id: second\n    source: nowhere\n    when: "payload.total >"\n    steps:\n      - { id: copy, type: transform, expression: payload }\n`,
    });

    const outcome = await reloadEngine();

    expect(outcome.status).toBe('rejected');
    const problems =
      outcome.status === 'rejected' ? outcome.problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`) : [];
    expect(problems).toEqual([
      '27:13: rule "second" names source "nowhere", which no file defines',
      '28:11: when: invalid JSONata at position 15: Unexpected end of expression',
    ]);
    const [rule] = await stack.query<{ current_version: number }>("SELECT current_version FROM rules WHERE id = 'notify'");
    expect(rule?.current_version).toBe(2);
    const requests = receiver.requests.length;
    expect((await deliverAndWait('shop')).versions).toEqual([2]);
    expect(receiver.requests.slice(requests).map((request) => request.url)).toEqual(['/v2']);
  });

  it('reloads through the admin API: 422 with every problem for a bad edit, then the engine follows a good one', async () => {
    const admin = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
    stack.writeRules({ 'shop.yaml': `${shopRules('/v4')}  - id: broken\n    source: shop\n    steps: []\n` });

    const rejected = await admin.post('/rules-directory/reload');

    expect(rejected.status).toBe(422);
    expect(rejected.body).toEqual({
      error: 'validation_failed',
      message: 'the rules directory has problems; the last good rules keep running',
      details: [{ path: `${stack.rulesDir}/shop.yaml:28:12`, message: 'rules.1.steps: must NOT have fewer than 1 items' }],
    });

    stack.writeRules({ 'shop.yaml': shopRules('/v4') });
    const reloaded = await admin.post('/rules-directory/reload');
    expect(reloaded).toMatchObject({ status: 200, body: { status: 'reloaded', versioned: [{ id: 'notify', version: 3 }], disabled: [] } });
    // The engine learns of it from the database within HOOKFLOW_CONFIG_REFRESH (500ms here).
    await waitFor(async () => {
      const requests = receiver.requests.length;
      await deliverAndWait('shop');
      return receiver.requests.slice(requests).some((request) => request.url === '/v4') ? true : undefined;
    });
    stack.writeRules({ 'shop.yaml': shopRules('/v2') });
    expect((await reloadEngine()).status).toBe('reloaded');
  });

  it('runs a `*` rule for events of every source', async () => {
    stack.writeRules({
      'shop.yaml': rulesFile(
        [hmacSource('shop'), hmacSource('billing')],
        [
          httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}/v2` }]),
          httpRule('audit', '"*"', [{ id: 'post', url: `${receiver.url}/audit` }]),
        ],
      ),
    });
    expect((await reloadEngine()).status).toBe('reloaded');

    const requests = receiver.requests.length;
    const shop = await deliverAndWait('shop');
    const billing = await deliverAndWait('billing');

    expect(shop.versions).toHaveLength(2);
    expect(billing.versions).toEqual([1]);
    expect(
      receiver.requests
        .slice(requests)
        .map((request) => request.url)
        .sort(),
    ).toEqual(['/audit', '/audit', '/v2']);
  });

  it('disables a rule removed from the files, keeping its runs reviewable', async () => {
    const [{ count: runsBefore } = { count: '0' }] = await stack.query<{ count: string }>(
      "SELECT count(*) FROM runs WHERE rule_id = 'notify'",
    );
    stack.writeRules({ 'shop.yaml': rulesFile([hmacSource('shop'), hmacSource('billing')], []) });
    expect((await reloadEngine()).status).toBe('reloaded');

    const rules = await stack.query<{ id: string; enabled: boolean }>('SELECT id, enabled FROM rules ORDER BY id');
    expect(rules).toEqual([
      { id: 'audit', enabled: false },
      { id: 'notify', enabled: false },
    ]);
    const [{ count: runsAfter } = { count: '0' }] = await stack.query<{ count: string }>(
      "SELECT count(*) FROM runs WHERE rule_id = 'notify'",
    );
    expect(runsAfter).toBe(runsBefore);
    const event = await deliverAndWait('shop');
    expect(event).toMatchObject({ status: 'unmatched', versions: [] });
  });
});

describe('rules reload with HOOKFLOW_RULES_WATCH', () => {
  let stack: TestStack;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile([hmacSource('shop')], [httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}/before` }])]),
      },
      env: { HOOKFLOW_RULES_WATCH: 'true' },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('picks up an edited file without a signal', async () => {
    stack.writeRules({
      'shop.yaml': rulesFile([hmacSource('shop')], [httpRule('notify', 'shop', [{ id: 'post', url: `${receiver.url}/after` }])]),
    });

    await waitFor(() => (stack.engine!.get(RulesDirectoryService).lastReload?.status === 'reloaded' ? true : undefined));
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET });
    expect(answer.status).toBe(202);
    const request = await waitFor(() => receiver.requests.find((received) => received.url === '/after'));
    expect(request.method).toBe('POST');
    expect(receiver.requests.map((received) => received.url)).toEqual(['/after']);
  });
});
