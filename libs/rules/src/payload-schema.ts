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
 * Compiles a payload's JSON Schema (draft-07, with the formats of ajv-formats). Every error is
 * collected (`allErrors`) so a sender learns all that is wrong at once; callers cap how many they
 * report. Unknown keywords are allowed: schemas are often written for other tools too (`example`,
 * `x-…`). One Ajv per schema, because a schema's `$id` can be registered only once per instance
 * and a definition is compiled again whenever it is checked or reloaded. Throws ajv's error when
 * the schema itself is invalid.
 */
export function compilePayloadSchema(schema: Record<string, unknown>): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, logger: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
