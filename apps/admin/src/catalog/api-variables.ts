import { apiVariableRefusal, HookflowConfig, isExposedToApi } from '@hookflow/config';
import { VariableScope } from '@hookflow/rules';

/**
 * The variables a definition written through this API may name: only those an operator exposed
 * (HOOKFLOW_API_VARIABLES), never Hookflow's own settings. Anyone with a write key could otherwise
 * copy any variable of this process into a source, or send it anywhere with an http step.
 */
export function apiVariableScope(config: HookflowConfig): VariableScope {
  const patterns = config.rules.apiVariables;
  const values = Object.fromEntries(Object.entries(config.rules.variables).filter(([name]) => isExposedToApi(name, patterns)));
  return { values: Object.freeze(values), refusal: (name) => apiVariableRefusal(name, patterns) };
}
