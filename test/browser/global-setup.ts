import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import e2eGlobalSetup from '../support/global-setup';

const ROOT = join(__dirname, '..', '..');

/**
 * The e2e setup (this run's build and template database), unless the e2e project already made
 * them in this jest process, then the console built with Vite into this run's own directory: other
 * sessions' `npm run build` empties dist/ whenever it likes.
 */
export default async function browserGlobalSetup(): Promise<void> {
  if (!process.env.HOOKFLOW_TEST_TEMPLATE_DB) await e2eGlobalSetup();
  const outDir = join(process.env.HOOKFLOW_TEST_BUILD_DIR ?? join(ROOT, '.test-build', String(process.pid)), 'console');
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/console/vite.config.mjs', '--outDir', outDir, '--emptyOutDir'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  process.env.HOOKFLOW_TEST_CONSOLE_DIR = outDir;
}
