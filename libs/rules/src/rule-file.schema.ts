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
const addresses = {
  type: ['string', 'array'],
  minLength: 1,
  minItems: 1,
  items: { type: 'string', minLength: 1 },
  description: 'One address or a list; each is local@domain or "Name <local@domain>". Templated.',
} as const;
/** Options every step type accepts, whatever it does. */
const stepOptions = {
  retry: { $ref: '#/definitions/retry', description: "Overrides the rule's retry policy for this step only." },
  continueOnError: {
    type: 'boolean',
    description: 'When the step finally fails (after its retries), record it as failed and go on to the next step.',
  },
} as const;
/** The step types; `step` picks the definition of a step by its `type`. */
const STEP_TYPES = { http: 'httpStep', transform: 'transformStep', email: 'emailStep', db: 'dbStep' } as const;
/** Every verification scheme a source may use (README, provider table). */
export const PROVIDERS = [
  'github',
  'stripe',
  'slack',
  'shopify',
  'twilio',
  'sendgrid',
  'meraki',
  'standard-webhooks',
  'svix',
  'hmac',
  'basic',
  'bearer',
  'none',
] as const;
/** Providers whose sources take no `secrets` (the schema requires them of every other source). */
export const PROVIDERS_WITHOUT_SECRETS = ['none', 'sendgrid'] as const satisfies readonly (typeof PROVIDERS)[number][];
/** A PostgreSQL table or column name; always quoted when SQL is built. */
const sqlIdentifier = '[A-Za-z_][A-Za-z0-9_]{0,62}';
const column = { type: 'string', pattern: `^${sqlIdentifier}$`, description: 'A column name.' } as const;

export const RULE_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hookflow.dev/schema/hookflow.schema.json',
  title: 'Hookflow rules file',
  type: 'object',
  additionalProperties: false,
  properties: {
    sources: { type: 'array', items: { $ref: '#/definitions/source' } },
    rules: { type: 'array', items: { $ref: '#/definitions/rule' } },
    connections: { type: 'array', items: { $ref: '#/definitions/connection' } },
  },
  definitions: {
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'provider'],
      properties: {
        id: identifier,
        provider: {
          enum: PROVIDERS,
          description: 'How deliveries are verified (see the README provider table).',
        },
        description: { type: 'string' },
        enabled: { type: 'boolean' },
        secrets: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', minLength: 1 },
          description: 'Signing secrets, passwords or tokens, usually ${VAR} references; several are accepted at once for rotation.',
        },
        tolerance: { ...duration, description: 'Replay window of timestamped schemes (default 300s).' },
        header: {
          type: 'string',
          minLength: 1,
          description: 'hmac: the signature header (default X-Webhook-Signature); bearer: the token header (default Authorization).',
        },
        algorithm: { enum: ['sha1', 'sha256', 'sha512'], description: 'hmac: the HMAC hash (default sha256).' },
        encoding: { enum: ['hex', 'base64'], description: 'hmac: how the signature is written (default hex).' },
        prefix: { type: 'string', description: 'hmac: a prefix before the signature, such as "sha256=" (optional in deliveries).' },
        timestampHeader: { type: 'string', minLength: 1, description: 'hmac: a header carrying a Unix timestamp that is signed too.' },
        signedContent: {
          type: 'string',
          minLength: 1,
          description:
            'hmac: what is signed, with {timestamp} and {body} (default "{body}", or "{timestamp}.{body}" with a timestamp header).',
        },
        publicKey: {
          type: 'string',
          minLength: 1,
          description: 'sendgrid: the verification key (base64 DER or PEM) from the SendGrid console.',
        },
        username: { type: 'string', minLength: 1, description: 'basic: the user name; the passwords are the secrets.' },
        queryParameter: { type: 'string', minLength: 1, description: 'bearer: also accept the token in this query parameter.' },
        publicUrl: {
          type: 'string',
          minLength: 1,
          description: 'twilio: the URL Twilio posts to, when it differs from HOOKFLOW_PUBLIC_URL + /hooks/<id>.',
        },
        allowIps: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', minLength: 1 },
          description: 'IPv4/IPv6 addresses or CIDRs allowed to deliver.',
        },
        eventType: expression,
        idempotencyKey: expression,
        expectEvery: {
          ...duration,
          description:
            'How often deliveries normally arrive: a source quiet for longer (no event since, or since it was created) is reported silent by its health.',
        },
        events: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', minLength: 1 },
          description:
            'Globs on the event type (* one dot-separated segment, ** any number): the types this source may deliver. Absent: every type.',
        },
        unknownEvents: {
          enum: ['ignore', 'reject'],
          description:
            'A verified delivery of a type `events` does not allow: ignore (default) answers 202 and stores it as ignored, running nothing; reject answers 422.',
        },
        schema: {
          type: ['object', 'string', 'array'],
          minLength: 1,
          minItems: 1,
          items: { $ref: '#/definitions/payloadSchemaEntry' },
          description:
            'A JSON Schema (draft-07) every payload must satisfy before it is stored (422 otherwise): inline, or a .json/.yaml file path relative to the rules directory; ' +
            'or a list of { events, schema } where the first entry whose globs match the event type applies.',
        },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          required: ['perSecond'],
          description:
            'Deliveries accepted per second across every ingest process (429 with Retry-After beyond); default HOOKFLOW_RATE_LIMIT_PER_SECOND.',
          properties: {
            perSecond: { type: 'number', minimum: 0, maximum: 1_000_000, description: 'Sustained rate; 0: no limit for this source.' },
            burst: {
              type: 'integer',
              minimum: 1,
              maximum: 10_000_000,
              description: 'Deliveries accepted at once after a quiet spell (default twice perSecond).',
            },
          },
        },
      },
      allOf: [
        { if: { properties: { provider: { not: { enum: PROVIDERS_WITHOUT_SECRETS } } } }, then: { required: ['secrets'] } },
        { if: { properties: { provider: { const: 'sendgrid' } } }, then: { required: ['publicKey'] } },
        { if: { properties: { provider: { const: 'basic' } } }, then: { required: ['username'] } },
      ],
    },
    payloadSchemaEntry: {
      type: 'object',
      additionalProperties: false,
      required: ['events', 'schema'],
      properties: {
        events: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'Globs on the event type.' },
        schema: {
          type: ['object', 'string'],
          minLength: 1,
          description: 'A JSON Schema (draft-07) inline, or a .json/.yaml file path relative to the rules directory.',
        },
      },
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
        ...stepOptions,
        method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
        url: { type: 'string', minLength: 1 },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
        timeout: duration,
        sign: {
          type: 'object',
          additionalProperties: false,
          required: ['scheme', 'secret'],
          description: 'Signs every try with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature).',
          properties: {
            scheme: { enum: ['standard-webhooks'] },
            secret: { type: 'string', minLength: 1, description: 'whsec_<base64> (or bare base64), usually from a variable.' },
          },
        },
      },
    },
    // if/then on `type` rather than oneOf: an unknown type is one enum error, and a known type
    // reports the problems of its own definition only.
    step: {
      type: 'object',
      required: ['id', 'type'],
      properties: { type: { enum: Object.keys(STEP_TYPES), description: 'What the step does.' } },
      allOf: Object.entries(STEP_TYPES).map(([type, definition]) => ({
        if: { properties: { type: { const: type } }, required: ['type'] },
        then: { $ref: `#/definitions/${definition}` },
      })),
    },
    transformStep: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'expression'],
      properties: {
        id: identifier,
        type: { const: 'transform' },
        when: expression,
        ...stepOptions,
        expression: { ...expression, description: 'A JSONata expression; its result is the step output.' },
      },
    },
    emailStep: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'to', 'subject'],
      properties: {
        id: identifier,
        type: { const: 'email' },
        when: expression,
        ...stepOptions,
        from: { type: 'string', minLength: 1, description: 'Default: HOOKFLOW_SMTP_FROM.' },
        to: addresses,
        cc: addresses,
        bcc: addresses,
        replyTo: addresses,
        subject: { type: 'string', minLength: 1 },
        text: { type: 'string' },
        html: { type: 'string' },
        timeout: duration,
      },
      anyOf: [{ required: ['text'] }, { required: ['html'] }],
    },
    connection: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'url'],
      properties: {
        id: identifier,
        url: {
          type: 'string',
          minLength: 1,
          description: 'A PostgreSQL URL (postgres://…), usually a ${VAR} reference: it carries a password.',
        },
      },
    },
    dbStep: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'connection', 'table', 'values'],
      properties: {
        id: identifier,
        type: { const: 'db' },
        when: expression,
        ...stepOptions,
        connection: { type: 'string', minLength: 1, description: 'The id of a connection defined under `connections`.' },
        table: {
          type: 'string',
          pattern: `^(${sqlIdentifier}\\.)?${sqlIdentifier}$`,
          description: 'The table, or schema.table.',
        },
        mode: { enum: ['insert', 'upsert'], description: 'insert (default), or upsert on `key`.' },
        key: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: column,
          description: 'upsert: the columns of a unique constraint; the other columns are updated on conflict.',
        },
        values: {
          type: 'object',
          minProperties: 1,
          propertyNames: column,
          description: 'Column → value (templated; a lone {{ }} keeps its type, objects and arrays are stored as JSON).',
        },
      },
      if: { properties: { mode: { const: 'upsert' } }, required: ['mode'] },
      then: { required: ['key'] },
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
        steps: { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
      },
    },
  },
} as const;
