import { DynamicModule, Module, Type } from '@nestjs/common';
import { CatalogSyncService } from './catalog-sync.service';
import { RULES_CHECKS, RulesCheck } from './rules-check';
import { RulesDirectoryService } from './rules-directory.service';

@Module({})
export class RulesModule {
  /** `checks`: validations that need the outside world, run before every sync (e.g. db step tables). */
  static forRoot(options: { checks?: Type<RulesCheck>[] } = {}): DynamicModule {
    const checks = options.checks ?? [];
    return {
      module: RulesModule,
      providers: [
        CatalogSyncService,
        RulesDirectoryService,
        ...checks,
        { provide: RULES_CHECKS, useFactory: (...instances: RulesCheck[]) => instances, inject: checks },
      ],
      exports: [CatalogSyncService, RulesDirectoryService],
    };
  }
}
