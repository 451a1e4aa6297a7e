import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL, builtFile, databaseUrl } from './test-env';

const ROOT = join(__dirname, '..', '..');

/**
 * Builds the apps (start-up and CLI tests run them as real processes) into a directory of this
 * run's own, so concurrent runs never read each other's half-written files, then makes the run's
 * template database with the real `hookflow migrate` command; each test file clones that template.
 */
export default async function globalSetup(): Promise<void> {
  buildForTests();
  const name = `hookflow_test_${process.pid}_${Date.now().toString(36)}_tpl`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  execFileSync(process.execPath, [builtFile('apps/cli/src/main.js'), 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl(name) },
    stdio: 'pipe',
  });
  process.env.HOOKFLOW_TEST_TEMPLATE_DB = name;
}

/** Builds the apps into `.test-build/<pid>` (HOOKFLOW_TEST_BUILD_DIR), for tests that run them as real processes. */
export function buildForTests(): void {
  process.env.HOOKFLOW_TEST_BUILD_DIR = join(ROOT, '.test-build', String(process.pid));
  const outDir = ['--outDir', process.env.HOOKFLOW_TEST_BUILD_DIR];
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', ...outDir], { cwd: ROOT, stdio: 'inherit' });
  } catch (error) {
    // Exit status 2: type errors, files emitted anyway. Tests run on swc and CI type-checks in its
    // own build step, so a half-typed tree still gets its tests run here.
    if ((error as { status?: number }).status !== 2) throw error;
    process.stderr.write('global-setup: the build has type errors (above); running the tests anyway\n');
  }
  execFileSync(join(ROOT, 'node_modules/.bin/tsc-alias'), ['-p', 'tsconfig.build.json', ...outDir], { cwd: ROOT, stdio: 'inherit' });
}
