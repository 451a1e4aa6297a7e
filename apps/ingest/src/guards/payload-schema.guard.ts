import { compileEventTypeGlobs, compilePayloadSchema, payloadSchemaRules, SourceDefinition } from '@hookflow/rules';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** One reason a payload fails its schema: a JSON Pointer into the payload and ajv's words. */
export interface SchemaViolation {
  path: string;
  message: string;
}

/** The violations of a payload of the given type; empty when it passes (or no schema applies to its type). */
export type PayloadCheck = (eventType: string | null, payload: unknown) => SchemaViolation[];

/** A sender learns what is wrong without a huge body, and the rejection log row stays small. */
export const MAX_REPORTED_VIOLATIONS = 20;

/**
 * Compiles a source's `schema` setting once per definition (ajv compiles to code, far too costly
 * per delivery), or undefined when it has none. Schemas are checked at load, so one that does not
 * compile here is a definition that bypassed validation: the error is thrown, and the registry
 * refuses the source rather than accept unchecked payloads.
 */
export function compilePayloadCheck(settings: Record<string, unknown>): PayloadCheck | undefined {
  const rules = payloadSchemaRules(settings.schema as SourceDefinition['schema']).map((rule) => {
    if (typeof rule.schema === 'string') throw new Error(`schema "${rule.schema}" was never read from its file`);
    return { matches: compileEventTypeGlobs(rule.events), validate: compilePayloadSchema(rule.schema) };
  });
  if (rules.length === 0) return undefined;
  return (eventType, payload) => {
    const rule = rules.find((candidate) => candidate.matches(eventType));
    return rule ? violationsOf(rule.validate, payload) : [];
  };
}

function violationsOf(validate: ValidateFunction, payload: unknown): SchemaViolation[] {
  if (validate(payload)) return [];
  return (validate.errors ?? []).slice(0, MAX_REPORTED_VIOLATIONS).map(toViolation);
}

function toViolation(error: ErrorObject): SchemaViolation {
  const params = error.params as Record<string, unknown>;
  // ajv names the offending key in `params` only; the sender needs it in the message.
  const message =
    error.keyword === 'additionalProperties'
      ? `must NOT have additional property "${String(params.additionalProperty)}"`
      : (error.message ?? 'is invalid');
  return { path: error.instancePath === '' ? '/' : error.instancePath, message };
}
