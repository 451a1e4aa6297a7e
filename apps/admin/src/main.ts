import './tracing.bootstrap'; // first: see the file
import 'reflect-metadata';
import { loadConfig } from '@hookflow/config';
import { assertDependenciesReady, exitWithStartupFailure } from '@hookflow/runtime';
import { createAdminApp } from './admin.app';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertDependenciesReady(config);
  const app = await createAdminApp(config);
  await app.listen(config.admin.port, config.admin.host);
}

main().catch((error: unknown) => exitWithStartupFailure('admin', error));
