import { RulesDirectoryService } from '@hookflow/rules';
import type { Browser } from 'playwright-core';
import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';
import { consoleDir, launchChromium, openPage, screenshot, signIn } from './support/console-browser';

const FAST_RETRY = '{ attempts: 2, backoff: fixed, delay: 20ms }';
const json = (body: unknown) => ({ status: 200, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const down = () => ({ status: 503, body: 'down for maintenance' });
const READ_ONLY = 'Your API key has scope read: replaying, discarding and editing need a write key.';

/** reserve, then charge, then notify; with `continueOnError`, a failed charge does not stop the run. */
function chargeRule(id: string, urls: string[], options: { continueOnError: boolean }): string {
  const [one, two, three] = urls;
  return `  - id: ${id}
    source: ${id}
    events: ["order.*"]
    retry: ${FAST_RETRY}
    steps:
      - { id: reserve, type: http, method: POST, url: "${one}", body: { order: "{{ payload.id }}" } }
      - { id: charge, type: http, method: POST, url: "${two}", continueOnError: ${options.continueOnError}, body: { order: "{{ payload.id }}" } }
      - { id: notify, type: http, method: POST, url: "${three}", body: { order: "{{ payload.id }}", charge: "{{ steps.charge.status }}" } }`;
}

/** The run detail's "Replay from this step": the steps before it carried over, that step sent again, the new run followed. */
describe('the console: replay from a step', () => {
  let stack: TestStack;
  let first: TestReceiver;
  let second: TestReceiver;
  let third: TestReceiver;
  let broken: TestReceiver;
  let browser: Browser;
  let writeKey: string;
  let readKey: string;
  let admin: AdminClient;

  beforeAll(async () => {
    [first, second, third, broken] = await Promise.all([
      TestReceiver.start(() => json({ token: 'tok-1' })),
      TestReceiver.start(() => json({ ok: true })),
      TestReceiver.start(down),
      TestReceiver.start(down),
    ]);
    stack = await TestStack.start({
      rules: {
        'flow.yaml': rulesFile(
          [hmacSource('flow')],
          [
            httpRule(
              'flow',
              'flow',
              [
                { id: 'reserve', url: `${first.url}/one` },
                { id: 'charge', url: `${second.url}/two` },
                {
                  id: 'notify',
                  url: `${third.url}/three`,
                  body: '{ order: "{{ payload.id }}", token: "{{ steps.reserve.output.body.token }}" }',
                },
              ],
              { retry: FAST_RETRY },
            ),
          ],
        ),
        'charge.yaml': chargeRules(1),
      },
      env: { HOOKFLOW_CIRCUIT_FAILURES: '0' },
      admin: true,
      adminEnv: { HOOKFLOW_CONSOLE_DIR: consoleDir() },
    });
    [writeKey, readKey] = await Promise.all([stack.createApiKey('write', 'ops-alice'), stack.createApiKey('read', 'auditor')]);
    admin = new AdminClient(stack.adminUrl, writeKey);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await Promise.all([first, second, third, broken].map((receiver) => receiver?.close()));
  });

  /** `onward` continues past a failed charge; `halt` stops at it. Each `version` changes halt's notify URL. */
  function chargeRules(version: number): string {
    return rulesFile(
      [hmacSource('onward'), hmacSource('halt')],
      [
        chargeRule('onward', [`${first.url}/onward-1`, `${broken.url}/onward-2`, `${third.url}/onward-3`], { continueOnError: true }),
        chargeRule('halt', [`${first.url}/halt-1`, `${broken.url}/halt-2`, `${third.url}/halt-3-v${version}`], { continueOnError: false }),
      ],
    );
  }

  const url = (path: string): string => `${stack.adminUrl}/console${path}`;

  /** Sends an order and waits for its run to fail at the last step. */
  async function failedRun(source: 'flow' | 'onward' | 'halt' = 'flow'): Promise<{ runId: string; orderId: string }> {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, source, body, { secret: SECRET });
    expect(answer.status).toBe(202);
    const runId = await waitFor(
      async () => {
        const [run] = (await admin.get(`/runs?event=${answer.body.eventId as string}`)).body.items as { id: string; status: string }[];
        return run?.status === 'failed' ? run.id : undefined;
      },
      15_000,
      'the failed run',
    );
    return { runId, orderId: orderIdOf(body) };
  }

  const ordersOf = (receiver: TestReceiver, orderId: string): number =>
    receiver.requests.filter((request) => (request.json() as { order?: string }).order === orderId).length;

  it('replays a failed run from its last step: only that step is sent again, the earlier ones show as carried over', async () => {
    const { runId, orderId } = await failedRun();
    third.answer(() => json({ ok: true }));
    const { page, problems } = await openPage(browser);
    await page.goto(url(`/runs/${runId}`));
    await signIn(page, writeKey);
    const timeline = page.getByRole('region', { name: 'Steps and attempts' });
    await timeline.getByText('destination answered 503').first().waitFor();
    // The first step has no button of its own: replaying from it is replaying the run.
    expect(await timeline.getByRole('button', { name: /Replay from this step/ }).count()).toBe(2);

    await timeline.getByRole('button', { name: 'Replay from this step (notify)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay from step notify' });
    await dialog.getByText('reserve, charge').waitFor();
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();

    await page.waitForURL((address) => /\/console\/runs\/[0-9a-f-]{36}$/.test(address.pathname) && !address.pathname.endsWith(runId));
    await page.locator('h1 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await page.getByText(/from step\s*notify/).waitFor();
    const replayed = page.getByRole('region', { name: 'Steps and attempts' });
    expect(await replayed.getByText('carried over', { exact: true }).count()).toBe(2);
    expect(await replayed.getByText(`run ${runId.slice(0, 8)}`).count()).toBe(2);
    await screenshot(page, 'run-replay-from-step');

    expect([ordersOf(first, orderId), ordersOf(second, orderId), ordersOf(third, orderId)]).toEqual([1, 1, 3]);
    const sent = third.requests.filter((request) => (request.json() as { order?: string }).order === orderId).at(-1);
    expect(sent?.json()).toEqual({ order: orderId, token: 'tok-1' });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('disables "Replay from this step" with the reason for a read key', async () => {
    third.answer(down);
    const { runId } = await failedRun();
    const { page, problems } = await openPage(browser);
    await page.goto(url(`/runs/${runId}`));
    await signIn(page, readKey);
    const button = page.getByRole('button', { name: 'Replay from this step (notify)' });
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('title')).toBe(READ_ONLY);
    expect(await page.getByRole('button', { name: 'Replay run…' }).isDisabled()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('replays from after a continueOnError step that failed: it is carried over failed, and the next step sees it failed', async () => {
    third.answer(down);
    const { runId, orderId } = await failedRun('onward');
    third.answer(() => json({ ok: true }));
    const { page, problems } = await openPage(browser);
    await page.goto(url(`/runs/${runId}`));
    await signIn(page, writeKey);
    const button = page.getByRole('button', { name: 'Replay from this step (notify)' });
    await button.waitFor();
    await page
      .getByText(/version 1/)
      .first()
      .waitFor();
    expect(await button.isDisabled()).toBe(false);

    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Replay from step notify' });
    await dialog.getByText('reserve, charge (failed, continued past)').waitFor();
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.waitForURL((address) => /\/console\/runs\/[0-9a-f-]{36}$/.test(address.pathname) && !address.pathname.endsWith(runId));
    await page.locator('h1 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('region', { name: 'Steps and attempts' }).getByText('carried over', { exact: true }).count()).toBe(2);

    expect([ordersOf(first, orderId), ordersOf(broken, orderId), ordersOf(third, orderId)]).toEqual([1, 2, 3]);
    const sent = third.requests.filter((request) => (request.json() as { order?: string }).order === orderId).at(-1);
    expect(sent?.json()).toEqual({ order: orderId, charge: 'failed' });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('judges a replay from a step only for a run of the current version, and shows the API’s refusal otherwise', async () => {
    const { runId } = await failedRun('halt'); // charge failed and stopped it
    const { page, problems } = await openPage(browser);
    await page.goto(url(`/runs/${runId}`));
    await signIn(page, writeKey);
    const button = page.getByRole('button', { name: 'Replay from this step (notify)' });
    await page.getByText('(still the current version)').waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('title')).toBe('Step charge failed in this run');

    // A new version: what the replay would run is no longer what this page shows, so the API judges.
    stack.writeRules({ 'charge.yaml': chargeRules(2) });
    expect((await stack.engine!.get(RulesDirectoryService).reload('test')).status).toBe('reloaded');
    await page.reload();
    await page.getByText('(a newer version exists)').waitFor();
    expect(await button.isDisabled()).toBe(false);
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Replay from step notify' });
    await dialog.getByText('The rule has changed since this run').waitFor();
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    const text = await refusal.textContent();
    expect(text).toContain('Not replayed');
    expect(text).toContain('step charge failed in the replayed run');
    expect(text).toContain('409 earlier_step_incomplete');
    expect(page.url()).toContain(runId);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
