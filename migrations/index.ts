import type { MigrationInterface } from 'typeorm';
import { CreateSchema1795426686170 } from './1795426686170-CreateSchema';
import { AdminApi1795437274694 } from './1795437274694-AdminApi';
import { AddEventFeedPosition1795450000000 } from './1795450000000-AddEventFeedPosition';
import { AddEventFeedSourceIndex1795460000000 } from './1795460000000-AddEventFeedSourceIndex';

/** Every migration, oldest first. Add each new one here; never edit one that has landed. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CreateSchema1795426686170,
  AdminApi1795437274694,
  AddEventFeedPosition1795450000000,
  AddEventFeedSourceIndex1795460000000,
];
