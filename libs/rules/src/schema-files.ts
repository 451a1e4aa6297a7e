import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { DefinitionPath, ProblemReporter } from './definition-checks';
import type { PayloadSchema, SourceDefinition } from './rule-definitions';

/**
 * Returns the source with every payload schema it names by path read from its file, so the stored
 * definition holds the schema itself: the admin API, `hookflow diff` and every ingest process then
 * see the same thing, whatever files each machine has. Paths are relative to the rules directory
 * and stay inside it; files are JSON (a YAML file there would be read as a rules file).
 */
export function inlineSchemaFiles(dir: string, source: SourceDefinition, report: ProblemReporter, path: DefinitionPath): SourceDefinition {
  const { schema } = source;
  if (schema === undefined) return source;
  if (!Array.isArray(schema)) return { ...source, schema: readSchema(dir, schema, report, [...path, 'schema']) };
  return {
    ...source,
    schema: schema.map((entry, index) => ({
      ...entry,
      schema: readSchema(dir, entry.schema, report, [...path, 'schema', index, 'schema']),
    })),
  };
}

function readSchema(dir: string, schema: PayloadSchema, report: ProblemReporter, at: DefinitionPath): PayloadSchema {
  if (typeof schema !== 'string') return schema;
  const root = resolve(dir);
  const file = resolve(root, schema);
  const inside = relative(root, file);
  if (isAbsolute(schema) || inside.startsWith('..') || isAbsolute(inside)) {
    report(at, `schema: "${schema}" must be a path relative to the rules directory, inside it`);
    return schema;
  }
  if (!/\.json$/i.test(schema)) {
    report(at, `schema: "${schema}" must be a .json file (YAML files in the rules directory are read as rules files)`);
    return schema;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    report(at, `schema: cannot read "${schema}" (relative to the rules directory)`);
    return schema;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    report(at, `schema: "${schema}" must hold a JSON object`);
  } catch (error) {
    report(at, `schema: "${schema}" is not valid JSON: ${(error as Error).message}`);
  }
  return schema;
}
