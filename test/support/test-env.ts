/** Where the test run's services are; each run and each test file gets its own database and Redis prefix. */
export const ADMIN_DATABASE_URL = process.env.HOOKFLOW_TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.HOOKFLOW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The template database, made once per run with every migration applied (see global-setup). */
export function templateDatabaseName(): string {
  const name = process.env.HOOKFLOW_TEST_TEMPLATE_DB;
  if (!name) throw new Error('HOOKFLOW_TEST_TEMPLATE_DB is not set: run e2e tests through jest (global-setup)');
  return name;
}

/** A file of this run's build (see global-setup), such as `apps/cli/src/main.js`. */
export function builtFile(path: string): string {
  const dir = process.env.HOOKFLOW_TEST_BUILD_DIR;
  if (!dir) throw new Error('HOOKFLOW_TEST_BUILD_DIR is not set: run e2e tests through jest (global-setup)');
  return `${dir}/${path}`;
}
