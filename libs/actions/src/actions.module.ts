import { Module } from '@nestjs/common';
import { StepRegistry } from './step-registry';

@Module({ providers: [StepRegistry], exports: [StepRegistry] })
export class ActionsModule {}
