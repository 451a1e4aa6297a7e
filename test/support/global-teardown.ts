import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL } from './test-env';

export default async function globalTeardown(): Promise<void> {
  if (process.env.HOOKFLOW_TEST_BUILD_DIR) rmSync(process.env.HOOKFLOW_TEST_BUILD_DIR, { recursive: true, force: true });
  const name = process.env.HOOKFLOW_TEST_TEMPLATE_DB;
  if (!name) return;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
