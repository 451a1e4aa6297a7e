import { loadConfig } from '@hookflow/config';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './typeorm-options';

/** The data source of the TypeORM CLI (`npm run migration:generate`); apps use PersistenceModule. */
export default new DataSource(dataSourceOptions(loadConfig()));
