import 'reflect-metadata';
import { HookflowConfig } from '@hookflow/config';
import { MIGRATIONS } from '@hookflow/migrations';
import { DataSource } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';

/** TypeORM options for Hookflow's database. The schema comes from migrations only, never `synchronize`. */
export function dataSourceOptions(config: HookflowConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // TypeORM would print failed queries with their parameters (headers, bodies): errors surface to callers instead.
    logging: false,
    extra: {
      max: config.database.poolSize,
      connectionTimeoutMillis: config.database.connectTimeoutMs,
      application_name: 'hookflow',
    },
  };
}

/** Runs the migrations that have not run yet; returns the names of those it ran. */
export async function runPendingMigrations(config: HookflowConfig): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(config));
  await dataSource.initialize();
  try {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
