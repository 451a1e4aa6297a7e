import type { MigrationInterface } from 'typeorm';
import { CreateSchema1795426686170 } from './1795426686170-CreateSchema';
import { AdminApi1795437274694 } from './1795437274694-AdminApi';
import { AddEventFeedPosition1795450000000 } from './1795450000000-AddEventFeedPosition';
import { AddEventFeedSourceIndex1795460000000 } from './1795460000000-AddEventFeedSourceIndex';
import { RejectionDiagnostics1795470000000 } from './1795470000000-RejectionDiagnostics';
import { ReplayFromStep1795480000000 } from './1795480000000-ReplayFromStep';
import { SystemEvents1795500000000 } from './1795500000000-SystemEvents';
import { AddRunFailedIndex1795510000000 } from './1795510000000-AddRunFailedIndex';

/** Every migration, oldest first. Add each new one here; never edit one that has landed. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CreateSchema1795426686170,
  AdminApi1795437274694,
  AddEventFeedPosition1795450000000,
  AddEventFeedSourceIndex1795460000000,
  RejectionDiagnostics1795470000000,
  ReplayFromStep1795480000000,
  SystemEvents1795500000000,
  AddRunFailedIndex1795510000000,
];
