import { PROVIDERS_WITHOUT_SECRETS, RULE_FILE_SCHEMA } from '@hookflow/rules';
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from 'yaml';
import { AdminApi, AdminOptions, withAdminOptions } from '../admin-api';

interface SourceView {
  id: string;
  provider: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: unknown[];
}

interface RuleView {
  id: string;
  source: string;
  enabled: boolean;
  definition: Record<string, unknown>;
}

interface ExportOptions extends AdminOptions {
  out?: string;
}

/** Providers whose sources carry no secret (the schema requires `secrets` of every other). */
const WITHOUT_SECRETS: ReadonlySet<string> = new Set(PROVIDERS_WITHOUT_SECRETS);
const SOURCE_KEYS = Object.keys(RULE_FILE_SCHEMA.definitions.source.properties);
const RULE_KEYS = Object.keys(RULE_FILE_SCHEMA.definitions.rule.properties);

/** `export [--out dir]`: the running sources and rules as rule files. */
export function registerExportCommands(program: Command): void {
  withAdminOptions(
    program
      .command('export')
      .description(
        'write the running sources and rules as YAML rule files (secrets cannot be exported: they become ${SOURCE_<ID>_SECRET} variables)',
      )
      .option('--out <dir>', 'write sources.yaml and rules.yaml into this directory (default: print one file to standard output)'),
  ).action((options: ExportOptions) => exportCatalog(options));
}

async function exportCatalog(options: ExportOptions): Promise<void> {
  const api = new AdminApi(options);
  const sources: Record<string, unknown>[] = [];
  for await (const source of api.list<SourceView>('/sources')) sources.push(sourceDefinition(source));
  const rules: Record<string, unknown>[] = [];
  for await (const rule of api.list<RuleView>('/rules')) rules.push(ruleDefinition(rule));
  const comment = header(options.url, sources);

  if (options.out === undefined) {
    process.stdout.write(yamlOf({ sources, rules }, comment));
    return;
  }
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'sources.yaml'), yamlOf({ sources }, comment));
  writeFileSync(join(options.out, 'rules.yaml'), yamlOf({ rules }, ` Exported from ${options.url} by \`hookflow export\`.`));
  process.stdout.write(
    `wrote ${sources.length} source(s) to ${join(options.out, 'sources.yaml')} and ${rules.length} rule(s) to ${join(options.out, 'rules.yaml')}\n`,
  );
}

/** The variable that stands for a source's secrets: SOURCE_<ID>_SECRET, the id upper-cased, other characters as `_`. */
export function secretVariable(sourceId: string): string {
  return `SOURCE_${sourceId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SECRET`;
}

function sourceDefinition(view: SourceView): Record<string, unknown> {
  return inSchemaOrder(SOURCE_KEYS, {
    ...view.settings,
    id: view.id,
    provider: view.provider,
    enabled: view.enabled ? undefined : false,
    secrets: WITHOUT_SECRETS.has(view.provider) && view.secrets.length === 0 ? undefined : [`\${${secretVariable(view.id)}}`],
  });
}

function ruleDefinition(view: RuleView): Record<string, unknown> {
  return inSchemaOrder(RULE_KEYS, { ...view.definition, id: view.id, source: view.source, enabled: view.enabled ? undefined : false });
}

/** Only the keys a rule file allows, in the schema's order (id first), so files read as hand-written ones. */
function inSchemaOrder(keys: string[], written: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => written[key] !== undefined).map((key) => [key, written[key]]));
}

function header(url: string, sources: Record<string, unknown>[]): string {
  const variables = sources.flatMap((source) => (source.secrets ? [secretVariable(String(source.id))] : []));
  return [
    ` Exported from ${url} by \`hookflow export\`.`,
    ' Secrets cannot be exported (the API never returns them): each source reads its secret from a',
    ' variable instead. Set these before loading the file, or write the secrets in their place:',
    ...(variables.length > 0 ? variables.map((name) => `   ${name}`) : ['   (none)']),
  ].join('\n');
}

function yamlOf(content: Record<string, unknown>, comment: string): string {
  const document = new Document(content);
  document.commentBefore = comment;
  return document.toString({ lineWidth: 0 });
}
