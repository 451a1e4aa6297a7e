import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { PayloadSchema, SourceDefinition } from './rule-definitions';

/** A source's payload schema for some event types: `events` absent means every type. */
export interface PayloadSchemaRule {
  events?: string[];
  schema: PayloadSchema;
}

/**
 * The schemas of a source in the order they apply (the first whose globs match the event type
 * wins): a single schema is one rule for every type.
 */
export function payloadSchemaRules(schema: SourceDefinition['schema']): PayloadSchemaRule[] {
  if (schema === undefined) return [];
  return Array.isArray(schema) ? schema.map((entry) => ({ events: entry.events, schema: entry.schema })) : [{ schema }];
}

/**
 * Compiles a payload's JSON Schema (draft-07, with the formats of ajv-formats). By default every
 * error is collected (`allErrors`) so a sender learns all that is wrong at once; callers cap how
 * many they report. That costs time and memory in proportion to the payload (an array of half a
 * million wrong items is half a million errors), so `allErrors: false` compiles a check that stops
 * at the first error, for payloads too large to be worth the full list. Strict about the schema
 * itself: a misspelt keyword (`requried`) or an unknown format would otherwise compile into a
 * check that silently does nothing. Annotations other tools use are allowed: `example` and any
 * `x-…` keyword. One Ajv per schema, because a schema's `$id` can be registered only once per
 * instance and a definition is compiled again whenever it is checked or reloaded. Throws ajv's
 * error when the schema itself is invalid.
 */
export function compilePayloadSchema(schema: Record<string, unknown>, options: { allErrors?: boolean } = {}): ValidateFunction {
  const ajv = new Ajv({
    allErrors: options.allErrors ?? true,
    strictSchema: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
  });
  addFormats(ajv);
  for (const keyword of ['example', ...extensionKeywords(schema)]) ajv.addKeyword(keyword);
  return ajv.compile(schema);
}

/** The `x-…` keys anywhere in a schema: vendor extensions, which ajv knows only when told. */
function extensionKeywords(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) extensionKeywords(item, found);
  } else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key.startsWith('x-')) found.add(key);
      extensionKeywords(value, found);
    }
  }
  return found;
}
