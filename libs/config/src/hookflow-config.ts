import * as ipaddr from 'ipaddr.js';
import { parseApiVariables } from './api-variables';
import { MasterKeySettings, readMasterKey } from './master-key';
import { parseByteSize, parseDuration } from './units';

export type Environment = 'development' | 'test' | 'production';

/** Hookflow's whole configuration, one namespace per concern. Built once by {@link loadConfig}. */
export interface HookflowConfig {
  env: Environment;
  database: { url: string; poolSize: number; connectTimeoutMs: number };
  redis: { url: string; prefix: string };
  /**
   * `variables` resolve `${VAR}` references in rule files: the process environment. Definitions
   * written through the admin API may name only the variables `apiVariables` exposes (names, or
   * prefixes ending in `*`; see `isExposedToApi`), never Hookflow's own settings.
   */
  rules: {
    dir: string;
    refreshIntervalMs: number;
    /** Reload the rules directory when a file in it changes (SIGHUP always reloads). */
    watch: boolean;
    variables: Readonly<Record<string, string | undefined>>;
    apiVariables: readonly string[];
  };
  startup: { waitMs: number };
  /**
   * A stopping process (SIGTERM, SIGINT) stops taking new work and lets work in flight finish for
   * up to `graceMs`; an engine then hands the jobs still running back to their queue.
   */
  shutdown: { graceMs: number };
  /**
   * The sweepers that rebuild the queues from PostgreSQL: ingest's outbox (committed events with no
   * job) and the engine's runs sweeper (runs whose job is missing). Every `intervalMs` each looks for
   * work that should have been queued (or due) at least `graceMs` ago.
   */
  sweep: { intervalMs: number; graceMs: number };
  ingest: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** The public base URL providers post to (signature schemes that sign the URL need it). */
    publicUrl?: string;
    /** Proxies whose X-Forwarded-For/Proto/Host are believed; no one's by default. */
    trustedProxies: string[];
    /** The log of refused deliveries: the newest `maxPerSource` rows per source, none older than `retentionMs`. */
    rejectionLog: { maxPerSource: number; retentionMs: number };
    /**
     * Token buckets in Redis, shared by every ingest process: `deliveries` per source (its own
     * `rateLimit` wins), `verificationFailures` per source and client address. perSecond 0: off.
     */
    rateLimits: { deliveries: TokenBucketLimit; verificationFailures: TokenBucketLimit };
  };
  engine: {
    host: string;
    port: number;
    concurrency: number;
    allowedPrivateRanges: string[];
    /** Per-destination circuit breaker of http steps: `failures` in a row open it (0: off), then `cooldownMs` before a probe. */
    circuit: { failures: number; cooldownMs: number };
    /**
     * Operators' replays run on a queue of their own: `concurrency` jobs at once per engine process,
     * and at most `rate.max` jobs per `rate.durationMs` across every engine (no limit when unset).
     */
    replays: { concurrency: number; rate?: RateLimit };
  };
  /**
   * Pruning of old history by the engine (docs/operations.md, "Retention"). Every `intervalMs` one
   * engine deletes, `batchSize` events per transaction, the events received more than `eventsMs`
   * ago with their runs, step attempts and settled dead letters. `eventsMs` undefined: never.
   */
  retention: { eventsMs?: number; intervalMs: number; batchSize: number };
  /**
   * The admin API and its console. `consoleDir` holds the console's built files (`npm run build`
   * makes dist/console); unset: the dist/console of this build.
   */
  admin: { host: string; port: number; consoleDir?: string };
  /** Email steps. `url` is unset in production unless HOOKFLOW_SMTP_URL gives it (email steps then fail). */
  smtp: { url?: string; from: string };
  /**
   * Hookflow's own events in the built-in `hookflow` source (README, "Alerts"): at most one per kind
   * and subject per `windowMs`. Every `checkIntervalMs` one engine looks for silent sources, and over
   * the last `windowMs` for a failure rate of at least `failureRate.percent` among at least
   * `failureRate.minRuns` finished runs, and for at least `rejections` refused deliveries.
   * `consoleUrl` starts the console links the events carry.
   */
  alerts: {
    windowMs: number;
    checkIntervalMs: number;
    consoleUrl: string;
    failureRate: { percent: number; minRuns: number };
    rejections: number;
  };
  /** From HOOKFLOW_MASTER_KEY or HOOKFLOW_MASTER_KEY_FILE. */
  security: MasterKeySettings;
  log: { level: string; pretty: boolean };
}

/** A token bucket: `perSecond` tokens added per second, holding at most `burst`; perSecond 0: no limit. */
export interface TokenBucketLimit {
  perSecond: number;
  burst: number;
}

/** At most `max` jobs per `durationMs`. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/** A setting that is missing, malformed or unusable. Its message is one line that names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Mailpit's SMTP port (docker-compose.yml); a default outside production only. */
const DEVELOPMENT_SMTP_URL = 'smtp://127.0.0.1:1025';
/** `local@domain` or `Name <local@domain>`: the same simple check email steps make. */
const MAILBOX = /^(?:[^\s@<>",;:]+@[^\s@<>",;:]+|[^<>\r\n]*<[^\s@<>",;:]+@[^\s@<>",;:]+>)$/;

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  url(name: string, fallback: string, protocols: string[]): string {
    const value = this.string(name, fallback);
    try {
      const parsed = new URL(value);
      if (protocols.includes(parsed.protocol)) return value;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL (got "${redactUrl(value)}")`);
    return fallback;
  }

  optionalUrl(name: string, protocols: string[]): string | undefined {
    const value = this.env[name];
    if (value === undefined || value === '') return undefined;
    return this.url(name, value, protocols).replace(/\/+$/, '');
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }

  duration(name: string, fallback: string): number {
    const raw = this.string(name, fallback);
    const value = parseDuration(raw);
    if (value !== undefined) return value;
    this.problems.push(`${name} must be a duration such as 250ms, 2s, 5m or 1h (got "${raw}")`);
    return parseDuration(fallback) ?? 0;
  }

  /** A duration from `min` to `max` (written as durations, e.g. `100ms`, `1h`). */
  boundedDuration(name: string, fallback: string, min: string, max: string): number {
    const value = this.duration(name, fallback);
    const [low, high] = [parseDuration(min) ?? 0, parseDuration(max) ?? Infinity];
    if (value >= low && value <= high) return value;
    this.problems.push(`${name} must be a duration from ${min} to ${max} (got "${this.string(name, fallback)}")`);
    return parseDuration(fallback) ?? 0;
  }

  /** Like {@link boundedDuration}, or undefined for `off` or `0` (the feature turned off). */
  durationOrOff(name: string, fallback: string, min: string, max: string): number | undefined {
    const raw = this.string(name, fallback).trim().toLowerCase();
    if (raw === 'off' || raw === '0') return undefined;
    const value = parseDuration(raw);
    const [low, high] = [parseDuration(min) ?? 0, parseDuration(max) ?? Infinity];
    if (value !== undefined && value >= low && value <= high) return value;
    this.problems.push(`${name} must be a duration from ${min} to ${max}, or off (got "${this.string(name, fallback)}")`);
    return parseDuration(fallback);
  }

  /** A rate such as `50/s`, `600/m` or `100/10s` (`count/duration`); `off` for none. */
  rate(name: string, fallback: string): RateLimit | undefined {
    const raw = this.string(name, fallback);
    const value = parseRate(raw);
    if (value !== undefined) return value === 'off' ? undefined : value;
    this.problems.push(`${name} must be a rate such as 50/s, 600/m or 100/10s, or off (got "${raw}")`);
    const parsed = parseRate(fallback);
    return parsed === 'off' ? undefined : parsed;
  }

  byteSize(name: string, fallback: string): number {
    const raw = this.string(name, fallback);
    const value = parseByteSize(raw);
    if (value !== undefined && value > 0) return value;
    this.problems.push(`${name} must be a size such as 1048576, 512kb or 1mb (got "${raw}")`);
    return parseByteSize(fallback) ?? 0;
  }

  /** `<prefix>_PER_SECOND` and `<prefix>_BURST`; the burst defaults to twice the rate when only the rate is set. */
  tokenBucket(prefix: string, perSecond: number, burst: number): TokenBucketLimit {
    const rate = this.integer(`${prefix}_PER_SECOND`, perSecond, 0, 1_000_000);
    const defaultBurst = this.env[`${prefix}_PER_SECOND`] ? Math.max(1, rate * 2) : burst;
    return { perSecond: rate, burst: this.integer(`${prefix}_BURST`, defaultBurst, 1, 10_000_000) };
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name, String(fallback)).toLowerCase();
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  mailbox(name: string, fallback: string): string {
    const value = this.string(name, fallback).trim();
    if (MAILBOX.test(value)) return value;
    this.problems.push(`${name} must be an address such as hookflow@example.com or "Hookflow <hookflow@example.com>" (got "${value}")`);
    return fallback;
  }

  list(name: string): string[] {
    return this.string(name, '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  /** CIDR ranges; a plain address is taken as a range of one (`/32`, `/128`). */
  cidrList(name: string): string[] {
    const ranges = this.list(name).map(asCidr);
    const invalid = ranges.filter((range) => !isCidr(range));
    if (invalid.length === 0) return ranges;
    this.problems.push(`${name} must be a comma-separated list of CIDR ranges such as 127.0.0.0/8,::1/128 (got "${invalid.join(',')}")`);
    return [];
  }
}

/**
 * Reads and validates Hookflow's configuration from an environment (normally `process.env`).
 * Throws a {@link ConfigError} listing every invalid variable, one per line.
 */
export function loadConfig(env: Env = process.env): HookflowConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.oneOf<Environment>('NODE_ENV', ['development', 'test', 'production'], 'development');
  const host = read.string('HOOKFLOW_HOST', '0.0.0.0');
  const security = readMasterKey(env, nodeEnv === 'production', read.problems);
  const apiVariables = parseApiVariables(read.list('HOOKFLOW_API_VARIABLES'));
  read.problems.push(...apiVariables.problems);
  const rejectionLogSize = read.integer('HOOKFLOW_REJECTION_LOG_SIZE', 1000, 10, 1_000_000);
  const alertWindowMs = read.boundedDuration('HOOKFLOW_ALERT_WINDOW', '15m', '1s', '24h');
  // Failure rates and rejections are counted over the last window at each check: checks further
  // apart than the window would leave stretches of time that no check looks at.
  const alertCheckIntervalMs = read.boundedDuration('HOOKFLOW_ALERT_CHECK_INTERVAL', `${Math.min(60_000, alertWindowMs)}ms`, '100ms', '1h');
  if (alertCheckIntervalMs > alertWindowMs) {
    read.problems.push(
      `HOOKFLOW_ALERT_CHECK_INTERVAL must not be longer than HOOKFLOW_ALERT_WINDOW (got "${read.string('HOOKFLOW_ALERT_CHECK_INTERVAL', '')}" ` +
        `and "${read.string('HOOKFLOW_ALERT_WINDOW', '15m')}")`,
    );
  }
  const config: HookflowConfig = {
    env: nodeEnv,
    database: {
      url: read.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/hookflow', ['postgres:', 'postgresql:']),
      poolSize: read.integer('HOOKFLOW_DB_POOL_SIZE', 10, 1, 1000),
      connectTimeoutMs: read.duration('HOOKFLOW_DB_CONNECT_TIMEOUT', '5s'),
    },
    redis: {
      url: read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
      prefix: read.string('HOOKFLOW_REDIS_PREFIX', 'hookflow'),
    },
    rules: {
      dir: read.string('HOOKFLOW_RULES_DIR', './rules'),
      refreshIntervalMs: read.duration('HOOKFLOW_CONFIG_REFRESH', '5s'),
      watch: read.boolean('HOOKFLOW_RULES_WATCH', nodeEnv === 'development'),
      variables: Object.freeze({ ...env }),
      apiVariables: Object.freeze(apiVariables.patterns),
    },
    startup: { waitMs: read.duration('HOOKFLOW_STARTUP_WAIT', '10s') },
    shutdown: { graceMs: read.boundedDuration('HOOKFLOW_SHUTDOWN_GRACE', '8s', '0s', '10m') },
    sweep: {
      intervalMs: read.boundedDuration('HOOKFLOW_SWEEP_INTERVAL', '10s', '100ms', '1h'),
      graceMs: read.duration('HOOKFLOW_SWEEP_GRACE', '30s'),
    },
    ingest: {
      host,
      port: read.integer('INGEST_PORT', 3000, 0, 65535),
      bodyLimitBytes: read.byteSize('HOOKFLOW_BODY_LIMIT', '1mb'),
      publicUrl: read.optionalUrl('HOOKFLOW_PUBLIC_URL', ['http:', 'https:']),
      trustedProxies: read.cidrList('HOOKFLOW_TRUSTED_PROXIES'),
      rejectionLog: {
        maxPerSource: rejectionLogSize,
        // At least a day: the health of a source counts rejections over the last day.
        retentionMs: read.boundedDuration('HOOKFLOW_REJECTION_LOG_RETENTION', '7d', '1d', '365d'),
      },
      // Generous by default: it is there so one noisy or hostile sender cannot starve the others,
      // not to shape normal traffic. Verification failures get a strict bucket of their own.
      rateLimits: {
        deliveries: read.tokenBucket('HOOKFLOW_RATE_LIMIT', 1000, 2000),
        verificationFailures: read.tokenBucket('HOOKFLOW_VERIFICATION_RATE_LIMIT', 10, 20),
      },
    },
    engine: {
      host,
      port: read.integer('ENGINE_PORT', 3002, 0, 65535),
      concurrency: read.integer('HOOKFLOW_ENGINE_CONCURRENCY', 10, 1, 1000),
      allowedPrivateRanges: read.cidrList('HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS'),
      circuit: {
        failures: read.integer('HOOKFLOW_CIRCUIT_FAILURES', 5, 0, 1000),
        cooldownMs: read.boundedDuration('HOOKFLOW_CIRCUIT_COOLDOWN', '30s', '100ms', '1h'),
      },
      replays: {
        concurrency: read.integer('HOOKFLOW_REPLAY_CONCURRENCY', 2, 1, 1000),
        rate: read.rate('HOOKFLOW_REPLAY_RATE', '50/s'),
      },
    },
    retention: {
      // At least a day: an event younger than that may still be replayed or reviewed.
      eventsMs: read.durationOrOff('HOOKFLOW_RETENTION_EVENTS', '30d', '1d', '3650d'),
      intervalMs: read.boundedDuration('HOOKFLOW_RETENTION_INTERVAL', '10m', '1s', '24h'),
      batchSize: read.integer('HOOKFLOW_RETENTION_BATCH', 500, 1, 10_000),
    },
    admin: {
      host,
      port: read.integer('ADMIN_PORT', 3001, 0, 65535),
      consoleDir: read.string('HOOKFLOW_CONSOLE_DIR', '') || undefined,
    },
    smtp: {
      url:
        nodeEnv === 'production'
          ? read.optionalUrl('HOOKFLOW_SMTP_URL', ['smtp:', 'smtps:'])
          : read.url('HOOKFLOW_SMTP_URL', DEVELOPMENT_SMTP_URL, ['smtp:', 'smtps:']),
      from: read.mailbox('HOOKFLOW_SMTP_FROM', 'Hookflow <hookflow@localhost>'),
    },
    alerts: {
      windowMs: alertWindowMs,
      checkIntervalMs: alertCheckIntervalMs,
      consoleUrl: read
        .url('HOOKFLOW_CONSOLE_URL', `http://localhost:${read.string('ADMIN_PORT', '3001')}/console`, ['http:', 'https:'])
        .replace(/\/+$/, ''),
      failureRate: {
        percent: read.integer('HOOKFLOW_ALERT_FAILURE_RATE', 50, 1, 100),
        minRuns: read.integer('HOOKFLOW_ALERT_FAILURE_MIN_RUNS', 10, 1, 1_000_000),
      },
      // The rejection log keeps the newest HOOKFLOW_REJECTION_LOG_SIZE rows per source, all a spike
      // is counted from: a threshold above it could never be reached.
      rejections: read.integer('HOOKFLOW_ALERT_REJECTIONS', Math.min(20, rejectionLogSize), 1, rejectionLogSize),
    },
    security,
    log: {
      level: read.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info'),
      pretty: read.string('HOOKFLOW_LOG_PRETTY', nodeEnv === 'development' ? 'true' : 'false') === 'true',
    },
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems.join('\n'));
  return config;
}

/** Hides the password of a connection URL so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/** `count/duration`, where a bare unit means one of it (`50/s` = 50 per 1s); `off`. */
function parseRate(text: string): RateLimit | 'off' | undefined {
  if (text.trim().toLowerCase() === 'off') return 'off';
  const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(text);
  if (!match) return undefined;
  const max = Number(match[1]);
  const per = match[2] ?? '';
  const durationMs = parseDuration(/^[a-z]+$/i.test(per) ? `1${per}` : per);
  if (!Number.isSafeInteger(max) || max < 1 || durationMs === undefined || durationMs < 1) return undefined;
  return { max, durationMs };
}

function asCidr(text: string): string {
  if (text.includes('/') || !ipaddr.isValid(text)) return text;
  return `${text}/${ipaddr.parse(text).kind() === 'ipv4' ? 32 : 128}`;
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}
