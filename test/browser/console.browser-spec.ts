import type { Browser, Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { AdminClient } from '../support/admin-client';
import { deliver, signHmac, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';
import { consoleDir, launchChromium, openPage, screenshot, signIn } from './support/console-browser';

const FAST_RETRY = '{ attempts: 2, backoff: fixed, delay: 20ms }';
const down = () => ({ status: 503, body: '{"error":"down for maintenance"}', headers: { 'content-type': 'application/json' } });
const refusing = () => ({ status: 400, body: '{"error":"unknown field total"}', headers: { 'content-type': 'application/json' } });
const up = () => ({ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } });

/**
 * The console against a whole Hookflow (ingest, engine, admin serving the console) in Debian's
 * Chromium: an operator's failed-run story from sign-in to resolved dead letters, a read key's
 * limits, and a rule edit refused with the CLI's message next to its line.
 */
describe('the console', () => {
  let stack: TestStack;
  let shop: TestReceiver;
  let billing: TestReceiver;
  let browser: Browser;
  let writeKey: string;
  let readKey: string;
  let admin: AdminClient;

  beforeAll(async () => {
    [shop, billing] = await Promise.all([TestReceiver.start(down), TestReceiver.start(refusing)]);
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop'), hmacSource('billing')],
          [
            httpRule('forward-orders', 'shop', [{ id: 'post', url: `${shop.url}/orders` }], { retry: FAST_RETRY }),
            httpRule('bill', 'billing', [{ id: 'invoice', url: `${billing.url}/invoices` }], { retry: FAST_RETRY }),
          ],
        ),
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
    await Promise.all([shop?.close(), billing?.close()]);
  });

  const url = (path: string): string => `${stack.adminUrl}/console${path}`;
  const pendingDeadLetters = async (rule: string): Promise<any[]> =>
    (await admin.get(`/dead-letters?status=pending&rule=${rule}`)).body.items as any[];

  it('serves the console with a strict Content-Security-Policy, and index.html for deep links', async () => {
    const page = await fetch(url('/runs/0190f7c2-0000-7000-8000-000000000000'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${stack.adminUrl}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${stack.adminUrl}/console/assets/missing.js`)).status).toBe(404);
  });

  it('refuses a wrong key at sign-in and keeps the key out of local storage', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(url('/'));
    await screenshot(page, 'sign-in');
    await page.getByLabel('Admin API key').fill('hfk_not-a-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That key is not valid or has been revoked.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    // A refused sign-in is not a sign-out: no "You were signed out" notice beside the form's own message.
    expect(await page.getByText(/You were signed out/).count()).toBe(0);

    await signIn(page, writeKey);
    expect(await page.evaluate(() => JSON.stringify((globalThis as any).localStorage))).not.toContain(writeKey);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin API key').waitFor();
    expect(await page.evaluate(() => JSON.stringify((globalThis as any).sessionStorage))).not.toContain(writeKey);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('takes an operator from failing runs to resolved dead letters, each payload delivered once', async () => {
    const orders = [orderEvent(), orderEvent(), orderEvent()];
    const big = orderEvent({
      note: 'x'.repeat(100 * 1024),
      lines: Array.from({ length: 400 }, (_, index) => ({ sku: `sku-${index}`, qty: index })),
    });
    for (const body of orders) expect((await deliver(stack.ingestUrl, 'shop', body, { secret: SECRET })).status).toBe(202);
    expect((await deliver(stack.ingestUrl, 'billing', big, { secret: SECRET })).status).toBe(202);
    expect((await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: 'wrong-secret' })).status).toBe(401);
    await waitFor(
      async () => (await pendingDeadLetters('forward-orders')).length === 3 && (await pendingDeadLetters('bill')).length === 1,
      30_000,
      'the dead letters',
    );

    const { page, problems } = await openPage(browser);
    // A deep link survives the sign-in: the operator lands where the link pointed.
    await page.goto(url('/dead-letters?status=pending'));
    await signIn(page, writeKey);
    await page.getByRole('heading', { name: 'Dead letters', level: 1 }).waitFor();
    await page.getByRole('heading', { name: /^4 dead letters/ }).waitFor();
    // Grouped so their outage (5xx) and our problem (4xx) separate at a glance.
    const causes = page.getByRole('region', { name: 'Dead letters grouped' });
    await causes.getByRole('link', { name: /Destination 5xx\s*3/ }).waitFor();
    await causes.getByRole('link', { name: /Destination 4xx\s*1/ }).waitFor();
    await causes.getByRole('link', { name: new RegExp(`127\\.0\\.0\\.1:${new URL(shop.url).port}\\s*3`) }).waitFor();
    await screenshot(page, 'dead-letters');

    // Filter: free text in the error, then the rule.
    await page.getByLabel('Error contains').fill('answered 503');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: /^3 dead letters/ }).waitFor();
    expect(new URL(page.url()).searchParams.get('error')).toBe('answered 503');
    await page.getByLabel('Rule', { exact: true }).selectOption('forward-orders');
    await page.waitForURL(/rule=forward-orders/);
    await expectRows(page, 3);

    // Open one: the run's attempt timeline, the event and the rule version.
    await page.locator('tbody tr').first().getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Run / }).waitFor();
    const timeline = page.getByRole('region', { name: 'Steps and attempts' });
    await timeline.getByText('Attempt 1').waitFor();
    await timeline.getByText('Attempt 2').waitFor();
    expect(await timeline.getByText('HTTP 503').count()).toBe(2);
    await timeline.getByText(/Retried .* later/).waitFor();
    await timeline.getByText('destination answered 503').first().waitFor();
    await page
      .getByRole('region', { name: 'The event that caused it' })
      .getByRole('tab', { name: /Headers/ })
      .click();
    await page.getByText('x-webhook-signature').waitFor();
    expect(await page.getByRole('cell', { name: '[redacted]' }).count()).toBeGreaterThan(0);
    await screenshot(page, 'run-detail');
    await page.goBack();
    await expectRows(page, 3);

    // The receiver is fixed; select the three and replay: the count first, then progress.
    shop.answer(up);
    const before = shop.requests.length;
    await page.getByLabel('Select every pending dead letter on this page').check();
    await page.getByRole('button', { name: 'Replay selected (3)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay dead letters' });
    await dialog.getByText('Replay 3 dead letters?').waitFor();
    await dialog.getByRole('button', { name: 'Replay 3' }).click();
    await dialog.getByText('Done: 3 of 3 replayed').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { name: 'Replay finished: 3 of 3 resolved' }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Status', { exact: true }).selectOption('resolved');
    await expectRows(page, 3);

    // Every payload reached the receiver exactly once after the fix.
    const delivered = shop.requests.slice(before).map((request) => (request.json() as { order: string }).order);
    expect(delivered.sort()).toEqual(orders.map(orderIdOf).sort());
    expect(await pendingDeadLetters('forward-orders')).toEqual([]);

    // The other one is ours (4xx): its event carries a 100 KB payload, which must not break the layout.
    await page.goto(url('/dead-letters?cause=destination_4xx'));
    await expectRows(page, 1);
    await page.locator('tbody tr').first().getByRole('link').first().click();
    await page.getByRole('link', { name: /^[0-9a-f-]{36}$/ }).click();
    await page.getByRole('heading', { name: /^Event / }).waitFor();
    await page.getByRole('tab', { name: /Raw body/ }).click();
    await page.locator('pre.code').waitFor();
    expect(await page.evaluate(NO_HORIZONTAL_SCROLL)).toBe(true);
    await page.getByRole('tab', { name: 'Parsed payload' }).click();
    expect(await page.evaluate(NO_HORIZONTAL_SCROLL)).toBe(true);

    // Replaying everything a filter selects streams its progress; a run that fails again leaves a new dead letter.
    await page.goto(url('/dead-letters?rule=bill'));
    await expectRows(page, 1);
    await page.getByRole('button', { name: 'Replay all matching…' }).click();
    const bulk = page.getByRole('dialog', { name: 'Replay dead letters' });
    await bulk.getByText('Replay 1 dead letter?').waitFor();
    await bulk.getByRole('button', { name: 'Replay 1' }).click();
    await bulk.getByText('Done: 1 of 1 replayed').waitFor();
    await bulk.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { name: 'Replay finished: 0 of 1 resolved, 1 failed again' }).waitFor({ timeout: 30_000 });

    await page.goto(url('/'));
    await page.getByRole('heading', { name: 'Dead letters pending' }).waitFor();
    await page.getByRole('rowheader', { name: /forward-orders/ }).waitFor();
    await page.locator('.chart-compact').first().waitFor();
    await screenshot(page, 'overview');
    await page.goto(url('/events'));
    await page.locator('tbody tr').first().waitFor();
    await page.getByText('Pull feed for polling consumers').waitFor();
    await screenshot(page, 'events');
    // Signed pretty-printed, sent compact: the rejection's diagnostics say so, unfolded; the others fold open from the keyboard.
    const order = JSON.parse(orderEvent()) as unknown;
    const signature = await signHmac(SECRET, JSON.stringify(order, null, 2));
    await deliver(stack.ingestUrl, 'shop', JSON.stringify(order), { headers: { 'x-webhook-signature': signature } });
    await waitFor(async () => (await admin.get('/sources/shop/rejections')).body.items[0]?.diagnostics?.reserialisation);
    await page.goto(url('/rejections?source=shop'));
    await page.getByRole('cell', { name: 'signature_mismatch' }).first().waitFor();
    await page.getByRole('note').filter({ hasText: 'Signed as JSON indented by 2 spaces.' }).waitFor();
    const unfolded = page.locator('tr.rejection-diagnostics details[open]');
    expect(await unfolded.count()).toBe(1);
    await page.locator('tr.rejection-diagnostics details:not([open]) > summary').first().focus();
    await page.keyboard.press('Enter');
    await waitFor(async () => (await unfolded.count()) === 2);
    await unfolded.nth(1).getByText('Body SHA-256').waitFor();
    await screenshot(page, 'rejections');
    await page.goto(url('/sources/shop'));
    await page.getByRole('img', { name: /received/ }).waitFor();
    await screenshot(page, 'source');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('shows a read key everything and disables its replay buttons with the reason', async () => {
    // The story above leaves billing's dead letter pending; run alone, this test makes its own (billing refuses with a 400).
    if ((await pendingDeadLetters('bill')).length === 0) {
      expect((await deliver(stack.ingestUrl, 'billing', orderEvent(), { secret: SECRET })).status).toBe(202);
    }
    await waitFor(async () => (await pendingDeadLetters('bill')).length === 1, 15_000, 'the billing dead letter');
    const [deadLetter] = await pendingDeadLetters('bill');
    const { page, problems } = await openPage(browser);
    await page.goto(url('/dead-letters'));
    await signIn(page, readKey);
    await expectRows(page, 1);
    const reason = 'Your API key has scope read: replaying, discarding and editing need a write key.';
    await page.getByText(reason).first().waitFor();
    await page
      .getByLabel(/Select dead letter/)
      .first()
      .check();
    const replay = page.getByRole('button', { name: /Replay selected/ });
    expect(await replay.isDisabled()).toBe(true);
    expect(await replay.getAttribute('title')).toBe(reason);
    expect(await page.getByRole('button', { name: 'Replay all matching…' }).isDisabled()).toBe(true);

    await page.goto(url(`/runs/${deadLetter.runId}`));
    const runReplay = page.getByRole('button', { name: 'Replay run…' });
    await runReplay.waitFor();
    expect(await runReplay.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Discard…' }).isDisabled()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows the validation messages of a rule edit next to their lines, and saves nothing until they are fixed', async () => {
    const created = await admin.post('/rules', {
      id: 'api-notify',
      source: 'shop',
      events: ['order.*'],
      steps: [{ id: 'notify', type: 'http', method: 'POST', url: `${shop.url}/notify`, body: { order: '{{ payload.id }}' } }],
    });
    expect(created.status).toBe(201);
    const { page, problems } = await openPage(browser);
    await page.goto(url('/rules/api-notify'));
    await signIn(page, writeKey);
    await page.getByRole('heading', { name: /^Rule api-notify/ }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByLabel('YAML of rule api-notify');
    const yaml = await editor.inputValue();
    const broken = yaml.replace(/^\s*url: .*\n/m, '');
    await editor.fill(broken);
    await page.getByRole('button', { name: 'Save' }).click();
    const problemsBox = page.locator('#rule-problems');
    await problemsBox.getByText('nothing was saved').waitFor();
    // The message is the API's, which is the CLI's: what `hookflow apply` prints for the same definition.
    const refused = await admin.put('/rules/api-notify', parseYaml(broken));
    expect(refused.status).toBe(422);
    for (const detail of refused.body.details as { message: string }[]) await problemsBox.getByText(detail.message).waitFor();
    await problemsBox
      .getByRole('button', { name: /^line \d+$/ })
      .first()
      .waitFor();
    await screenshot(page, 'rule-edit');
    expect((await admin.get('/rules/api-notify')).body.version).toBe(1);

    await editor.fill(yaml.replace('/notify', '/notify-v2'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    expect((await admin.get('/rules/api-notify')).body.definition.steps[0].url).toBe(`${shop.url}/notify-v2`);

    // Backtest: the saved rule against the last events of its source shows what each step would send.
    const sentBefore = shop.requests.length;
    await page.getByRole('button', { name: 'Run dry run' }).click();
    await page.getByText(/^3 of 3 events would make a run\.$/).waitFor();
    expect(await page.getByText(`POST ${shop.url}/notify-v2`).count()).toBe(3);
    expect(shop.requests.length).toBe(sentBefore);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

/** The page is no wider than the window: nothing (a 100 KB payload, say) pushed the layout sideways. */
const NO_HORIZONTAL_SCROLL = (): boolean => {
  const root = (globalThis as any).document.documentElement;
  return root.scrollWidth <= root.clientWidth;
};

/** Waits until the listing shows exactly `count` rows. */
async function expectRows(page: Page, count: number): Promise<void> {
  // A function, not a string: the console's CSP (rightly) refuses to evaluate strings.
  await page.waitForFunction(
    (expected) => (globalThis as any).document.querySelectorAll('tbody tr[data-dead-letter]').length === expected,
    count,
  );
}
