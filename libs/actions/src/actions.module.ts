import { Module } from '@nestjs/common';
import { DbConnections } from './db/db-connections';
import { StepRegistry } from './step-registry';

@Module({ providers: [StepRegistry, DbConnections], exports: [StepRegistry, DbConnections] })
export class ActionsModule {}
