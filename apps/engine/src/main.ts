import 'reflect-metadata';
import { loadConfig } from '@hookflow/config';
import { assertDependenciesReady, exitWithStartupFailure } from '@hookflow/runtime';
import { createEngineApp } from './engine.app';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertDependenciesReady(config);
  const app = await createEngineApp(config);
  await app.listen(config.engine.port, config.engine.host);
}

main().catch((error: unknown) => exitWithStartupFailure('engine', error));
