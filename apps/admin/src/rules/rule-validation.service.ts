import { DbTargetsCheck } from '@hookflow/actions';
import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { SourcesRepository } from '@hookflow/persistence';
import {
  ConnectionDefinition,
  loadRulesDirectory,
  RuleDefinition,
  RulesValidationError,
  validateRuleDefinition,
  VariableScope,
} from '@hookflow/rules';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { apiVariableScope } from '../catalog/api-variables';
import { validatedOrInvalid } from '../catalog/catalog-errors';

/**
 * Checks a rule definition sent to the API exactly as a rule of a rules file is checked: the file
 * checks, then (for a rule to be saved) each db step's table against its live database. Sources are
 * those of the catalog; db step connections are those of the rules directory, where they live. Its
 * `${VAR}` references may name only the variables exposed to the API (HOOKFLOW_API_VARIABLES).
 */
@Injectable()
export class RuleValidation {
  private readonly logger = new Logger(RuleValidation.name);
  private readonly variables: VariableScope;

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly sources: SourcesRepository,
    private readonly dbTargets: DbTargetsCheck,
  ) {
    this.variables = apiVariableScope(config);
  }

  /** The rule, or a 422 with each problem at its path. `checkDatabase`: also check db step tables (before saving). */
  validate(body: unknown, options: { checkDatabase: boolean }): Promise<RuleDefinition> {
    return validatedOrInvalid('rule', async () => {
      const connections = hasDbStep(body) ? this.connections() : [];
      const references = {
        sourceIds: new Set(await this.sources.ids()),
        connectionIds: new Set(connections.map((connection) => connection.id)),
      };
      const { rule, dbTargets } = validateRuleDefinition(body, this.variables, references);
      if (options.checkDatabase && dbTargets.length > 0) {
        const checked = await this.dbTargets.check({ sources: [], rules: [rule], connections, dbTargets });
        for (const warning of checked.warnings) this.logger.warn(`rule "${rule.id}": ${warning}`);
        if (checked.problems.length > 0) throw new RulesValidationError(checked.problems);
      }
      return rule;
    });
  }

  /** The rules directory's connections; none when it cannot be read (its problems are reported where it is loaded). */
  private connections(): ConnectionDefinition[] {
    try {
      return loadRulesDirectory(this.config.rules.dir, this.config.rules.variables).connections;
    } catch (error) {
      if (!(error instanceof RulesValidationError)) throw error;
      this.logger.warn(`the rules directory has problems, so no db step connection is known: ${error.problems.length} problem(s)`);
      return [];
    }
  }
}

function hasDbStep(body: unknown): boolean {
  const steps = (body as { steps?: unknown } | null)?.steps;
  return Array.isArray(steps) && steps.some((step) => (step as { type?: unknown } | null)?.type === 'db');
}
