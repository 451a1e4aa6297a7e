/** The shapes of a rules directory after validation (see schema/hookflow.schema.json for the reference). */

import type { PROVIDERS } from './rule-file.schema';
import type { RulesLocation } from './rules-validation.error';

export type Provider = (typeof PROVIDERS)[number];

export interface SourceDefinition {
  id: string;
  provider: Provider;
  description?: string;
  enabled?: boolean;
  /** Resolved at load time from `${VAR}`; stored only encrypted. */
  secrets?: string[];
  /** Replay window of timestamped schemes. */
  tolerance?: string | number;
  /** hmac: the signature header (default `X-Webhook-Signature`); bearer: the token header. */
  header?: string;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  encoding?: 'hex' | 'base64';
  prefix?: string;
  timestampHeader?: string;
  signedContent?: string;
  publicKey?: string;
  username?: string;
  queryParameter?: string;
  publicUrl?: string;
  allowIps?: string[];
  /** JSONata giving the event type (default `payload.type`). */
  eventType?: string;
  /** JSONata giving the idempotency key (default: SHA-256 of the raw body). */
  idempotencyKey?: string;
  /** A duration: quiet for longer than this (no event since, or since creation), the source's health says it is silent. */
  expectEvery?: string | number;
  /** Globs on the event type: the types this source may deliver. Absent: every type. */
  events?: string[];
  /** What a verified delivery of a type `events` does not allow gets: 202 and an `ignored` event (default), or 422. */
  unknownEvents?: 'ignore' | 'reject';
  /**
   * A JSON Schema every payload must satisfy (before it is committed), or one per group of event
   * types (the first entry whose globs match applies; a type no entry matches is not checked).
   * In a rules file a schema may be a path relative to the rules directory; the loader reads it,
   * so a stored definition always holds the schema itself.
   */
  schema?: PayloadSchema | PayloadSchemaEntry[];
  /** Deliveries per second (a token bucket of `burst`, default twice that) across every ingest process; 0: no limit. */
  rateLimit?: { perSecond: number; burst?: number };
}

/** A JSON Schema (draft-07) written inline, or the path of a JSON or YAML file holding one. */
export type PayloadSchema = Record<string, unknown> | string;

/** The schema of the event types matching `events`. */
export interface PayloadSchemaEntry {
  events: string[];
  schema: PayloadSchema;
}

export interface RetryPolicyDefinition {
  /** Total tries, the first included. */
  attempts?: number;
  backoff?: 'exponential' | 'fixed';
  delay?: string | number;
  maxDelay?: string | number;
}

/** Options every step type accepts. */
export interface StepOptions {
  /** Overrides the rule's retry policy for this step only. */
  retry?: RetryPolicyDefinition;
  /** When the step finally fails, record it as failed and go on to the next step. */
  continueOnError?: boolean;
}

export interface HttpStepDefinition extends StepOptions {
  id: string;
  type: 'http';
  when?: string;
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeout?: string | number;
  /** Signs every try with Standard Webhooks headers; `secret` is `whsec_<base64>`, usually `${VAR}`. */
  sign?: { scheme: 'standard-webhooks'; secret: string };
}

export interface TransformStepDefinition extends StepOptions {
  id: string;
  type: 'transform';
  when?: string;
  /** JSONata, evaluated in the run's expression context; its result is the step's output. */
  expression: string;
}

/** Every text field is a template; each address is `local@domain` or `Name <local@domain>`. */
export interface EmailStepDefinition extends StepOptions {
  id: string;
  type: 'email';
  when?: string;
  /** Default: HOOKFLOW_SMTP_FROM. */
  from?: string;
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string | string[];
  subject: string;
  /** At least one of `text` and `html`. */
  text?: string;
  html?: string;
  timeout?: string | number;
}

/** Writes one row to a connection's table: `values` are templated and always sent as parameters. */
export interface DbStepDefinition extends StepOptions {
  id: string;
  type: 'db';
  when?: string;
  /** The id of a {@link ConnectionDefinition}. */
  connection: string;
  /** `table` or `schema.table`. */
  table: string;
  /** Default insert. */
  mode?: 'insert' | 'upsert';
  /** upsert: the conflict columns. */
  key?: string[];
  values: Record<string, unknown>;
}

export type StepDefinition = HttpStepDefinition | TransformStepDefinition | EmailStepDefinition | DbStepDefinition;

/** A database db steps may write to. */
export interface ConnectionDefinition {
  id: string;
  /** A PostgreSQL URL; kept as written (`${VAR}`), resolved in memory by the engine only. */
  url: string;
}

export interface RuleDefinition {
  id: string;
  source: string;
  description?: string;
  enabled?: boolean;
  /** Globs on the event type; `*` is one dot-separated segment, `**` any number. Absent: every type. */
  events?: string[];
  /** JSONata; the rule runs when it gives a truthy value. */
  when?: string;
  retry?: RetryPolicyDefinition;
  steps: StepDefinition[];
}

/**
 * A table a db step writes to, with where its names were written, so a check against the live
 * database (libs/actions) can report a missing table or column at its line.
 */
export interface DbTarget {
  rule: string;
  step: string;
  connection: string;
  /** `table` or `schema.table`, as written. */
  table: string;
  mode: 'insert' | 'upsert';
  at: RulesLocation;
  columns: { name: string; at: RulesLocation }[];
  /** upsert: the conflict columns and where they were written. */
  key: string[];
  keyAt?: RulesLocation;
}

/** Everything a rules directory defines, merged across its files. */
export interface RuleCatalog {
  sources: SourceDefinition[];
  rules: RuleDefinition[];
  /** With their `${VAR}` references unresolved: they carry passwords. */
  connections: ConnectionDefinition[];
}

/** A catalog as read from its files: with the db steps' targets located, for checks that need a database. */
export interface LoadedRules extends RuleCatalog {
  dbTargets: DbTarget[];
}
