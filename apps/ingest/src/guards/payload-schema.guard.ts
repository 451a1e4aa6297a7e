import { compileEventTypeGlobs, compilePayloadSchema, payloadSchemaRules, SourceDefinition } from '@hookflow/rules';
import type { ErrorObject } from 'ajv';

/** One reason a payload fails its schema: a JSON Pointer into the payload and ajv's words. */
export interface SchemaViolation {
  path: string;
  message: string;
}

/**
 * The violations of a payload of the given type; empty when it passes (or no schema applies to its
 * type). `detail`: `all` reports every violation (up to MAX_REPORTED_VIOLATIONS), `first` only the
 * first one, at a cost that does not grow with the number of violations.
 */
export type PayloadCheck = (eventType: string | null, payload: unknown, detail?: 'all' | 'first') => SchemaViolation[];

/** A sender learns what is wrong without a huge body, and the rejection log row stays small. */
export const MAX_REPORTED_VIOLATIONS = 20;
/**
 * Longest path or message reported: both can quote the payload's own keys (an extra property's
 * name), which the sender chooses, so 20 of them could otherwise be most of a 1 MiB body.
 */
export const MAX_VIOLATION_TEXT_LENGTH = 200;

/**
 * Compiles a source's `schema` setting once per definition (ajv compiles to code, far too costly
 * per delivery), or undefined when it has none. Schemas are checked at load, so one that does not
 * compile here is a definition that bypassed validation: the error is thrown, and the registry
 * refuses the source rather than accept unchecked payloads.
 */
export function compilePayloadCheck(settings: Record<string, unknown>): PayloadCheck | undefined {
  const rules = payloadSchemaRules(settings.schema as SourceDefinition['schema']).map((rule) => {
    if (typeof rule.schema === 'string') throw new Error(`schema "${rule.schema}" was never read from its file`);
    return {
      matches: compileEventTypeGlobs(rule.events),
      // The first error decides; every error is collected only for a payload that fails, when asked.
      validateFirst: compilePayloadSchema(rule.schema, { allErrors: false }),
      validateAll: compilePayloadSchema(rule.schema),
    };
  });
  if (rules.length === 0) return undefined;
  return (eventType, payload, detail = 'all') => {
    const rule = rules.find((candidate) => candidate.matches(eventType));
    if (!rule || rule.validateFirst(payload)) return [];
    if (detail === 'first') return (rule.validateFirst.errors ?? []).slice(0, 1).map(toViolation);
    rule.validateAll(payload);
    return (rule.validateAll.errors ?? []).slice(0, MAX_REPORTED_VIOLATIONS).map(toViolation);
  };
}

function toViolation(error: ErrorObject): SchemaViolation {
  const params = error.params as Record<string, unknown>;
  // ajv names the offending key in `params` only; the sender needs it in the message.
  const message =
    error.keyword === 'additionalProperties'
      ? `must NOT have additional property "${String(params.additionalProperty)}"`
      : (error.message ?? 'is invalid');
  return { path: shortened(error.instancePath === '' ? '/' : error.instancePath), message: shortened(message) };
}

function shortened(text: string): string {
  return text.length > MAX_VIOLATION_TEXT_LENGTH ? `${text.slice(0, MAX_VIOLATION_TEXT_LENGTH - 1)}…` : text;
}
