import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`, see .ci/run); Playwright downloads no browser here. */
const CHROMIUM = process.env.HOOKFLOW_TEST_CHROMIUM ?? '/usr/bin/chromium';
/** Closed network: without these, Chromium keeps trying to reach Google's services at start-up. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The directory of the console this run built (test/browser/global-setup.ts). */
export function consoleDir(): string {
  const dir = process.env.HOOKFLOW_TEST_CONSOLE_DIR;
  if (!dir) throw new Error('HOOKFLOW_TEST_CONSOLE_DIR is not set: run browser tests through jest (test/browser/global-setup.ts)');
  return dir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true, timeout: 30_000 });
}

/**
 * A laptop-sized page that records what must never happen: a script error, a console error or a
 * Content-Security-Policy violation (Chromium reports those on the console).
 */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    // A 401/403/409 answer the page handles shows in the console as a failed resource load; that is the API working.
    if (
      message.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of (401|403|409|422)/.test(message.text())
    ) {
      problems.push(`console: ${message.text()}`);
    }
  });
  return { page, problems };
}

/** Saves a screenshot of the page when HOOKFLOW_SCREENSHOT_DIR is set (README's images: docs/screenshots). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.HOOKFLOW_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/** Signs in on the sign-in page the console shows to a visitor without a key. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('Admin API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
