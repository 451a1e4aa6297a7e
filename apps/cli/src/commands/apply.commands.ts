import { loadConfig } from '@hookflow/config';
import { formatProblem, loadRulesDirectory, RuleDefinition, RulesValidationError, SourceDefinition } from '@hookflow/rules';
import { Command } from 'commander';
import { AdminApi, AdminApiError, AdminOptions, withAdminOptions } from '../admin-api';

type Item = { kind: 'source'; definition: SourceDefinition } | { kind: 'rule'; definition: RuleDefinition };

/** How one item went: applied, or refused with the API's words. */
type Outcome = { applied: 'created' | 'updated' } | { refused: string };

/** `apply [dir]`: a rules directory into the running Hookflow, through the admin API. */
export function registerApplyCommands(program: Command): void {
  withAdminOptions(
    program
      .command('apply')
      .argument('[dir]', 'rules directory (default: HOOKFLOW_RULES_DIR or ./rules)')
      .description(
        'validate a rules directory as start-up does, then create or update each of its sources and rules through the admin API (exit 1 if any is refused)',
      ),
  ).action((dir: string | undefined, options: AdminOptions) => apply(dir, options));
}

async function apply(dir: string | undefined, options: AdminOptions): Promise<void> {
  const config = loadConfig();
  let items: Item[];
  try {
    // Secrets' ${VAR} resolve here, from this environment; rules keep theirs, resolved by the engine.
    const catalog = loadRulesDirectory(dir ?? config.rules.dir, config.rules.variables);
    items = [
      ...catalog.sources.map((definition): Item => ({ kind: 'source', definition })),
      ...catalog.rules.map((definition): Item => ({ kind: 'rule', definition })),
    ];
    if (catalog.connections.length > 0) {
      process.stderr.write(
        `warning: connections are not managed through the API: ${catalog.connections.map((connection) => connection.id).join(', ')} must be defined in the server's rules directory\n`,
      );
    }
  } catch (error) {
    if (!(error instanceof RulesValidationError)) throw error;
    process.stderr.write(`${error.problems.map(formatProblem).join('\n')}\n`);
    process.exitCode = 1;
    return;
  }

  const api = new AdminApi(options);
  let refused = 0;
  for (const [index, item] of items.entries()) {
    const outcome = await applyItem(api, item);
    const label = `[${index + 1}/${items.length}] ${item.kind} ${item.definition.id}`;
    if ('applied' in outcome) {
      process.stdout.write(`${label}: ${outcome.applied}\n`);
    } else {
      refused += 1;
      process.stdout.write(`${label}: ${outcome.refused}\n`);
    }
  }
  process.stdout.write(`applied ${items.length - refused} of ${items.length}${refused > 0 ? `, ${refused} refused` : ''}\n`);
  if (refused > 0) process.exitCode = 1;
}

/** POST when the item is new, PUT when it exists; a refusal (409 for YAML-managed items, 422 …) is reported, not thrown. */
async function applyItem(api: AdminApi, item: Item): Promise<Outcome> {
  const path = `/${item.kind}s/${encodeURIComponent(item.definition.id)}`;
  try {
    if (await exists(api, path)) {
      await api.put(path, item.definition);
      return { applied: 'updated' };
    }
    await api.post(`/${item.kind}s`, item.definition);
    return { applied: 'created' };
  } catch (error) {
    if (!(error instanceof AdminApiError) || error.status === 401 || error.status === 403) throw error;
    return { refused: error.code === 'managed_by_yaml' ? `not applied, managed by YAML: ${error.message}` : `refused: ${error.message}` };
  }
}

async function exists(api: AdminApi, path: string): Promise<boolean> {
  try {
    await api.get(path);
    return true;
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 404) return false;
    throw error;
  }
}
