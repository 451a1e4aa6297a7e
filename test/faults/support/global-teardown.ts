import { rmSync } from 'node:fs';
import { removeLeftovers } from './private-services';

/** Stops and removes what the run left; with HOOKFLOW_FAULTS_KEEP_DATABASE set (debugging) the clusters stay for inspection. */
export default async function globalTeardown(): Promise<void> {
  if (!process.env.HOOKFLOW_FAULTS_KEEP_DATABASE) await removeLeftovers();
  if (process.env.HOOKFLOW_TEST_BUILD_DIR) rmSync(process.env.HOOKFLOW_TEST_BUILD_DIR, { recursive: true, force: true });
}
