/**
 * The JSON Schema of a rule file. It is both what validates files at load and what editors use
 * (`schema/hookflow.schema.json` is written from it by `hookflow schema`).
 */
const identifier = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$' } as const;
const duration = {
  oneOf: [
    { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?\\s*$' },
    { type: 'integer', minimum: 0 },
  ],
  description: 'A duration: 250ms, 2s, 5m, 1h, or a number of milliseconds.',
} as const;
const expression = { type: 'string', minLength: 1, description: 'A JSONata expression.' } as const;

export const RULE_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hookflow.dev/schema/hookflow.schema.json',
  title: 'Hookflow rules file',
  type: 'object',
  additionalProperties: false,
  properties: {
    sources: { type: 'array', items: { $ref: '#/definitions/source' } },
    rules: { type: 'array', items: { $ref: '#/definitions/rule' } },
  },
  definitions: {
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'provider'],
      properties: {
        id: identifier,
        provider: { enum: ['hmac', 'none'], description: 'How deliveries are verified.' },
        description: { type: 'string' },
        enabled: { type: 'boolean' },
        secrets: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', minLength: 1 },
          description: 'Signing secrets, usually ${VAR} references; several are accepted at once for rotation.',
        },
        header: { type: 'string', minLength: 1, description: 'hmac: the signature header (default X-Webhook-Signature).' },
        eventType: expression,
        idempotencyKey: expression,
      },
      if: { properties: { provider: { const: 'hmac' } } },
      then: { required: ['secrets'] },
    },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: { type: 'integer', minimum: 1, maximum: 100, description: 'Total tries, the first included.' },
        backoff: { enum: ['exponential', 'fixed'] },
        delay: duration,
        maxDelay: duration,
      },
    },
    httpStep: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'url'],
      properties: {
        id: identifier,
        type: { const: 'http' },
        when: expression,
        method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
        url: { type: 'string', minLength: 1 },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
        timeout: duration,
      },
    },
    rule: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'source', 'steps'],
      properties: {
        id: identifier,
        source: { type: 'string', minLength: 1, description: 'A source id, or "*" for every source.' },
        description: { type: 'string' },
        enabled: { type: 'boolean' },
        events: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        when: expression,
        retry: { $ref: '#/definitions/retry' },
        steps: { type: 'array', minItems: 1, items: { $ref: '#/definitions/httpStep' } },
      },
    },
  },
} as const;
