import { buildForTests } from '../../support/global-setup';
import { makeTemplateCluster } from './fault-world';

/**
 * Builds the apps into this run's own directory (the scenarios run them as real processes, to
 * kill them), then makes the migrated PostgreSQL cluster each scenario copies. The run is named,
 * so the teardown finds the private services a crashed test left.
 */
export default async function globalSetup(): Promise<void> {
  process.env.HOOKFLOW_FAULTS_RUN = String(process.pid);
  buildForTests();
  process.env.HOOKFLOW_FAULTS_PG_TEMPLATE = (await makeTemplateCluster()).dir;
}
