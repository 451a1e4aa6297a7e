import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './hookflow-config';

const STRONG_KEY = 'k'.repeat(32);

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('starts from working defaults when nothing is set', () => {
    const config = loadConfig({});

    expect(config.env).toBe('development');
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/hookflow');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.ingest.port).toBe(3000);
    expect(config.engine.port).toBe(3002);
    expect(config.admin.port).toBe(3001);
    expect(config.ingest.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.database.connectTimeoutMs).toBe(5_000);
    expect(config.rules.refreshIntervalMs).toBe(5_000);
    expect(config.engine.allowedPrivateRanges).toEqual([]);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', INGEST_PORT: '', HOOKFLOW_BODY_LIMIT: '' });

    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/hookflow');
    expect(config.ingest.port).toBe(3000);
    expect(config.ingest.bodyLimitBytes).toBe(1024 * 1024);
  });

  it('reads durations, sizes and ports written with units', () => {
    const config = loadConfig({
      HOOKFLOW_DB_CONNECT_TIMEOUT: '250ms',
      HOOKFLOW_CONFIG_REFRESH: '2s',
      HOOKFLOW_STARTUP_WAIT: '1m',
      HOOKFLOW_SWEEP_GRACE: '1h',
      HOOKFLOW_BODY_LIMIT: '512kb',
      INGEST_PORT: '8080',
      ENGINE_PORT: '8082',
    });

    expect(config.database.connectTimeoutMs).toBe(250);
    expect(config.rules.refreshIntervalMs).toBe(2_000);
    expect(config.startup.waitMs).toBe(60_000);
    expect(config.sweep.graceMs).toBe(3_600_000);
    expect(config.ingest.bodyLimitBytes).toBe(512 * 1024);
    expect(config.ingest.port).toBe(8080);
    expect(config.engine.port).toBe(8082);
  });

  it('accepts postgresql:// and rediss:// URLs', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://app:pw@db:5432/hooks', REDIS_URL: 'rediss://cache:6380' });

    expect(config.database.url).toBe('postgresql://app:pw@db:5432/hooks');
    expect(config.redis.url).toBe('rediss://cache:6380');
  });

  it.each([
    ['HOOKFLOW_CONFIG_REFRESH', 'often'],
    ['HOOKFLOW_BODY_LIMIT', 'huge'],
    ['HOOKFLOW_BODY_LIMIT', '0'],
    ['INGEST_PORT', '70000'],
    ['ENGINE_PORT', '3.5'],
    ['HOOKFLOW_DB_POOL_SIZE', '0'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['DATABASE_URL', 'not a url'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'loud'],
    ['HOOKFLOW_RULES_WATCH', 'sometimes'],
  ])('rejects %s=%p with one line that names the variable', (name, value) => {
    const error = configError({ [name]: value });

    expect(error.message).not.toContain('\n');
    expect(error.message).toContain(name);
    expect(error.message).toContain(value);
  });

  it('watches the rules directory in development only, unless HOOKFLOW_RULES_WATCH says otherwise', () => {
    expect(loadConfig({}).rules.watch).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).rules.watch).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', HOOKFLOW_MASTER_KEY: STRONG_KEY }).rules.watch).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', HOOKFLOW_MASTER_KEY: STRONG_KEY, HOOKFLOW_RULES_WATCH: 'true' }).rules.watch).toBe(true);
    expect(loadConfig({ HOOKFLOW_RULES_WATCH: '0' }).rules.watch).toBe(false);
  });

  it('reports every invalid variable, one line each', () => {
    const error = configError({ INGEST_PORT: 'eighty', HOOKFLOW_CONFIG_REFRESH: 'soon', REDIS_URL: 'ftp://cache' });
    const lines = error.message.split('\n');

    expect(lines).toHaveLength(3);
    expect(lines.find((line) => line.startsWith('INGEST_PORT '))).toBe('INGEST_PORT must be an integer from 0 to 65535 (got "eighty")');
    expect(lines.find((line) => line.startsWith('HOOKFLOW_CONFIG_REFRESH '))).toBe(
      'HOOKFLOW_CONFIG_REFRESH must be a duration such as 250ms, 2s, 5m or 1h (got "soon")',
    );
    expect(lines.find((line) => line.startsWith('REDIS_URL '))).toContain('ftp://cache');
  });

  it('does not print the password of a rejected database URL', () => {
    const error = configError({ DATABASE_URL: 'mysql://app:hunter2@db/hooks' });

    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
  });

  describe('HOOKFLOW_MASTER_KEY', () => {
    it('uses a key of at least 32 characters as given', () => {
      const config = loadConfig({ NODE_ENV: 'production', HOOKFLOW_MASTER_KEY: STRONG_KEY });

      expect(config.security).toEqual({ masterKey: STRONG_KEY, masterKeyIsDevelopmentDefault: false });
    });

    it('rejects a key shorter than 32 characters', () => {
      const error = configError({ HOOKFLOW_MASTER_KEY: 'k'.repeat(31) });

      expect(error.message).toBe('HOOKFLOW_MASTER_KEY must be at least 32 characters long');
    });

    it('must be set in production', () => {
      const error = configError({ NODE_ENV: 'production' });

      expect(error.message).toBe(
        'HOOKFLOW_MASTER_KEY or HOOKFLOW_MASTER_KEY_FILE must be set in production (a key of at least 32 characters)',
      );
    });

    it.each(['change-me-to-a-random-32+-character-secret', 'hookflow-development-master-key-do-not-use-in-prod'])(
      'refuses the published key %p in production, and takes it elsewhere',
      (published) => {
        const error = configError({ NODE_ENV: 'production', HOOKFLOW_MASTER_KEY: published });

        expect(error.message).toBe(
          'HOOKFLOW_MASTER_KEY is a published example key, refused in production: use a random one (`hookflow keygen` prints one)',
        );
        expect(loadConfig({ NODE_ENV: 'test', HOOKFLOW_MASTER_KEY: published }).security.masterKey).toBe(published);
      },
    );

    it('falls back to a flagged development key outside production', () => {
      for (const nodeEnv of ['development', 'test']) {
        const config = loadConfig({ NODE_ENV: nodeEnv });

        expect(config.security.masterKeyIsDevelopmentDefault).toBe(true);
        expect(config.security.masterKey.length).toBeGreaterThanOrEqual(32);
      }
    });
  });

  describe('HOOKFLOW_MASTER_KEY_FILE', () => {
    let dir: string;
    const keyFile = (content: string, name = 'master-key'): string => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'hookflow-key-'));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads the key from the file, without its final newline', () => {
      const config = loadConfig({ NODE_ENV: 'production', HOOKFLOW_MASTER_KEY_FILE: keyFile(`${STRONG_KEY}\n`) });

      expect(config.security).toEqual({ masterKey: STRONG_KEY, masterKeyIsDevelopmentDefault: false });
    });

    it('refuses it together with HOOKFLOW_MASTER_KEY', () => {
      const error = configError({ HOOKFLOW_MASTER_KEY: STRONG_KEY, HOOKFLOW_MASTER_KEY_FILE: keyFile(STRONG_KEY) });

      expect(error.message).toBe('HOOKFLOW_MASTER_KEY and HOOKFLOW_MASTER_KEY_FILE are both set: set only one of them');
    });

    it('names a missing, unreadable or empty file, whatever NODE_ENV says', () => {
      const missing = join(dir, 'nowhere');
      expect(configError({ HOOKFLOW_MASTER_KEY_FILE: missing }).message).toBe(
        `HOOKFLOW_MASTER_KEY_FILE names a file that cannot be read (ENOENT): ${missing}`,
      );
      expect(configError({ HOOKFLOW_MASTER_KEY_FILE: dir }).message).toBe(
        `HOOKFLOW_MASTER_KEY_FILE names a file that cannot be read (EISDIR): ${dir}`,
      );
      const empty = keyFile(' \n', 'empty');
      expect(configError({ HOOKFLOW_MASTER_KEY_FILE: empty }).message).toBe(`HOOKFLOW_MASTER_KEY_FILE names an empty file: ${empty}`);
      if (process.getuid?.() !== 0) {
        const locked = keyFile(STRONG_KEY, 'locked');
        chmodSync(locked, 0o000);
        expect(configError({ HOOKFLOW_MASTER_KEY_FILE: locked }).message).toContain('(EACCES)');
      }
    });

    it('refuses a short or published key in the file without printing it', () => {
      const short = keyFile('k'.repeat(31));
      const error = configError({ HOOKFLOW_MASTER_KEY_FILE: short });
      expect(error.message).toBe(`the key in HOOKFLOW_MASTER_KEY_FILE (${short}) must be at least 32 characters long`);
      expect(error.message).not.toContain('k'.repeat(31));

      const published = keyFile('change-me-to-a-random-32+-character-secret\n', 'published');
      expect(configError({ NODE_ENV: 'production', HOOKFLOW_MASTER_KEY_FILE: published }).message).toBe(
        `the key in HOOKFLOW_MASTER_KEY_FILE (${published}) is a published example key, refused in production: use a random one (\`hookflow keygen\` prints one)`,
      );
    });
  });

  describe('HOOKFLOW_API_VARIABLES', () => {
    it('exposes no variable by default', () => {
      expect(loadConfig({}).rules.apiVariables).toEqual([]);
    });

    it('reads names and prefixes ending in *', () => {
      expect(loadConfig({ HOOKFLOW_API_VARIABLES: ' SHOP_*, RECEIVER_URL,,slack_token ' }).rules.apiVariables).toEqual([
        'SHOP_*',
        'RECEIVER_URL',
        'slack_token',
      ]);
    });

    it.each([
      ['DATABASE_URL', '"DATABASE_URL" covers DATABASE_URL'],
      ['REDIS_URL', '"REDIS_URL" covers REDIS_URL'],
      ['HOOKFLOW_MASTER_KEY', '"HOOKFLOW_MASTER_KEY" covers HOOKFLOW_MASTER_KEY'],
      ['hookflow_master_key', '"hookflow_master_key" covers HOOKFLOW_MASTER_KEY'],
      ['OTEL_EXPORTER_OTLP_HEADERS', '"OTEL_EXPORTER_OTLP_HEADERS" covers OTEL_EXPORTER_OTLP_HEADERS'],
      ['PGPASSWORD', '"PGPASSWORD" covers PGPASSWORD'],
      ['HOOKFLOW_*', '"HOOKFLOW_*" covers HOOKFLOW_*'],
      ['HOOK*', '"HOOK*" covers HOOKFLOW_*'],
      ['HOOKFLOW_SHOP_*', '"HOOKFLOW_SHOP_*" covers HOOKFLOW_*'],
      ['DATA*', '"DATA*" covers DATABASE_URL'],
      ['P*', '"P*" covers PG*'],
    ])("refuses %p, one of Hookflow's own settings or a prefix that takes one in", (entry, covers) => {
      const error = configError({ HOOKFLOW_API_VARIABLES: `SHOP_*,${entry}` });

      expect(error.message).toBe(`HOOKFLOW_API_VARIABLES must not expose Hookflow's own settings: ${covers}`);
    });

    it('refuses a lone * and malformed entries, one line each', () => {
      const lines = configError({ HOOKFLOW_API_VARIABLES: '*,SHOP-TOKEN,*_TOKEN' }).message.split('\n');

      expect(lines).toEqual([
        'HOOKFLOW_API_VARIABLES must not be a lone * (it would expose the whole environment): list names or prefixes such as SHOP_*',
        'HOOKFLOW_API_VARIABLES must be a comma-separated list of variable names, each optionally ending in * (got "SHOP-TOKEN")',
        'HOOKFLOW_API_VARIABLES must be a comma-separated list of variable names, each optionally ending in * (got "*_TOKEN")',
      ]);
    });
  });

  describe('HOOKFLOW_SMTP_URL and HOOKFLOW_SMTP_FROM', () => {
    it('defaults to Mailpit on localhost outside production, and to no server in production', () => {
      expect(loadConfig({}).smtp).toEqual({ url: 'smtp://127.0.0.1:1025', from: 'Hookflow <hookflow@localhost>' });
      expect(loadConfig({ NODE_ENV: 'production', HOOKFLOW_MASTER_KEY: STRONG_KEY }).smtp.url).toBeUndefined();
    });

    it('reads smtp:// and smtps:// URLs and a named sender', () => {
      const config = loadConfig({
        HOOKFLOW_SMTP_URL: 'smtps://mailer:pw@smtp.example.com:465',
        HOOKFLOW_SMTP_FROM: 'Ops <ops@example.com>',
      });

      expect(config.smtp).toEqual({ url: 'smtps://mailer:pw@smtp.example.com:465', from: 'Ops <ops@example.com>' });
    });

    it('rejects a URL of another protocol without printing its password', () => {
      const error = configError({ HOOKFLOW_SMTP_URL: 'http://mailer:hunter2@smtp.example.com' });

      expect(error.message).toMatch(/^HOOKFLOW_SMTP_URL must be a smtp:\/\/ or smtps:\/\/ URL/);
      expect(error.message).not.toContain('hunter2');
    });

    it.each(['hookflow', 'two@example.com, three@example.com', 'Ops <ops at example.com>'])('rejects the sender %p', (from) => {
      const error = configError({ HOOKFLOW_SMTP_FROM: from });

      expect(error.message).toBe(
        `HOOKFLOW_SMTP_FROM must be an address such as hookflow@example.com or "Hookflow <hookflow@example.com>" (got "${from}")`,
      );
    });
  });

  describe('HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS', () => {
    it('reads a comma-separated list of IPv4 and IPv6 CIDR ranges', () => {
      const config = loadConfig({ HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: ' 127.0.0.0/8, ::1/128 ,,10.0.0.0/8' });

      expect(config.engine.allowedPrivateRanges).toEqual(['127.0.0.0/8', '::1/128', '10.0.0.0/8']);
    });

    it('takes a plain address as a range of one', () => {
      const config = loadConfig({ HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: '127.0.0.1,::1', HOOKFLOW_TRUSTED_PROXIES: '10.0.0.7' });

      expect(config.engine.allowedPrivateRanges).toEqual(['127.0.0.1/32', '::1/128']);
      expect(config.ingest.trustedProxies).toEqual(['10.0.0.7/32']);
    });

    it.each(['localhost', '10.0.0.0/33', 'localhost/8', 'fd00::/129'])('rejects %p, naming the bad entry', (range) => {
      const error = configError({ HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS: `127.0.0.0/8,${range}` });

      expect(error.message).toBe(
        `HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS must be a comma-separated list of CIDR ranges such as 127.0.0.0/8,::1/128 (got "${range}")`,
      );
    });
  });

  describe('HOOKFLOW_CIRCUIT_FAILURES and HOOKFLOW_CIRCUIT_COOLDOWN', () => {
    it('opens a circuit after 5 failures in a row and probes after 30 s by default', () => {
      expect(loadConfig({}).engine.circuit).toEqual({ failures: 5, cooldownMs: 30_000 });
    });

    it('reads a count and a duration, 0 failures turning the breaker off', () => {
      expect(loadConfig({ HOOKFLOW_CIRCUIT_FAILURES: '3', HOOKFLOW_CIRCUIT_COOLDOWN: '2m' }).engine.circuit).toEqual({
        failures: 3,
        cooldownMs: 120_000,
      });
      expect(loadConfig({ HOOKFLOW_CIRCUIT_FAILURES: '0' }).engine.circuit.failures).toBe(0);
    });

    it.each([
      ['HOOKFLOW_CIRCUIT_FAILURES', '-1', 'HOOKFLOW_CIRCUIT_FAILURES must be an integer from 0 to 1000 (got "-1")'],
      ['HOOKFLOW_CIRCUIT_FAILURES', 'many', 'HOOKFLOW_CIRCUIT_FAILURES must be an integer from 0 to 1000 (got "many")'],
      ['HOOKFLOW_CIRCUIT_COOLDOWN', 'a while', 'HOOKFLOW_CIRCUIT_COOLDOWN must be a duration such as 250ms, 2s, 5m or 1h (got "a while")'],
      ['HOOKFLOW_CIRCUIT_COOLDOWN', '0', 'HOOKFLOW_CIRCUIT_COOLDOWN must be a duration from 100ms to 1h (got "0")'],
      ['HOOKFLOW_CIRCUIT_COOLDOWN', '2h', 'HOOKFLOW_CIRCUIT_COOLDOWN must be a duration from 100ms to 1h (got "2h")'],
    ])('rejects %s=%p', (name, value, message) => {
      expect(configError({ [name]: value }).message).toBe(message);
    });
  });

  describe('HOOKFLOW_ALERT_* and HOOKFLOW_CONSOLE_URL', () => {
    it('coalesces alerts per 15 minutes, checks sources every minute and links to the local console by default', () => {
      expect(loadConfig({}).alerts).toEqual({
        windowMs: 900_000,
        checkIntervalMs: 60_000,
        consoleUrl: 'http://localhost:3001/console',
        failureRate: { percent: 50, minRuns: 10 },
        rejections: 20,
      });
      expect(loadConfig({ ADMIN_PORT: '8081' }).alerts.consoleUrl).toBe('http://localhost:8081/console');
    });

    it('reads durations, counts and a console URL without its trailing slash', () => {
      const { alerts } = loadConfig({
        HOOKFLOW_ALERT_WINDOW: '1h',
        HOOKFLOW_ALERT_CHECK_INTERVAL: '30s',
        HOOKFLOW_ALERT_FAILURE_RATE: '25',
        HOOKFLOW_ALERT_FAILURE_MIN_RUNS: '3',
        HOOKFLOW_ALERT_REJECTIONS: '100',
        HOOKFLOW_CONSOLE_URL: 'https://hookflow.example.com/console/',
      });
      expect(alerts).toEqual({
        windowMs: 3_600_000,
        checkIntervalMs: 30_000,
        consoleUrl: 'https://hookflow.example.com/console',
        failureRate: { percent: 25, minRuns: 3 },
        rejections: 100,
      });
    });

    it('checks at least once per window, so no stretch of time goes unchecked', () => {
      expect(loadConfig({ HOOKFLOW_ALERT_WINDOW: '30s' }).alerts).toMatchObject({ windowMs: 30_000, checkIntervalMs: 30_000 });
      expect(configError({ HOOKFLOW_ALERT_WINDOW: '5m', HOOKFLOW_ALERT_CHECK_INTERVAL: '10m' }).message).toBe(
        'HOOKFLOW_ALERT_CHECK_INTERVAL must not be longer than HOOKFLOW_ALERT_WINDOW (got "10m" and "5m")',
      );
    });

    it('keeps the rejection-spike threshold within the rejections the log keeps per source', () => {
      expect(loadConfig({ HOOKFLOW_REJECTION_LOG_SIZE: '12' }).alerts.rejections).toBe(12);
      expect(configError({ HOOKFLOW_REJECTION_LOG_SIZE: '50', HOOKFLOW_ALERT_REJECTIONS: '51' }).message).toBe(
        'HOOKFLOW_ALERT_REJECTIONS must be an integer from 1 to 50 (got "51")',
      );
    });

    it.each([
      ['HOOKFLOW_ALERT_WINDOW', '2d', 'HOOKFLOW_ALERT_WINDOW must be a duration from 1s to 24h (got "2d")'],
      ['HOOKFLOW_ALERT_FAILURE_RATE', '0', 'HOOKFLOW_ALERT_FAILURE_RATE must be an integer from 1 to 100 (got "0")'],
      ['HOOKFLOW_CONSOLE_URL', 'console', 'HOOKFLOW_CONSOLE_URL must be a http:// or https:// URL (got "console")'],
    ])('rejects %s=%p', (name, value, message) => {
      expect(configError({ [name]: value }).message).toBe(message);
    });
  });

  describe('HOOKFLOW_REPLAY_CONCURRENCY and HOOKFLOW_REPLAY_RATE', () => {
    it('runs 2 replay jobs at once per engine, at most 50 a second across engines, by default', () => {
      expect(loadConfig({}).engine.replays).toEqual({ concurrency: 2, rate: { max: 50, durationMs: 1_000 } });
    });

    it.each([
      ['50/s', { max: 50, durationMs: 1_000 }],
      ['600/m', { max: 600, durationMs: 60_000 }],
      ['100 / 10s', { max: 100, durationMs: 10_000 }],
      ['1/250ms', { max: 1, durationMs: 250 }],
      ['3600/h', { max: 3_600, durationMs: 3_600_000 }],
    ])('reads the rate %p', (rate, expected) => {
      expect(loadConfig({ HOOKFLOW_REPLAY_RATE: rate }).engine.replays.rate).toEqual(expected);
    });

    it('takes off as no rate limit, and reads a concurrency', () => {
      expect(loadConfig({ HOOKFLOW_REPLAY_RATE: 'off', HOOKFLOW_REPLAY_CONCURRENCY: '8' }).engine.replays).toEqual({ concurrency: 8 });
    });

    it.each([
      ['HOOKFLOW_REPLAY_RATE', 'fast', 'HOOKFLOW_REPLAY_RATE must be a rate such as 50/s, 600/m or 100/10s, or off (got "fast")'],
      ['HOOKFLOW_REPLAY_RATE', '0/s', 'HOOKFLOW_REPLAY_RATE must be a rate such as 50/s, 600/m or 100/10s, or off (got "0/s")'],
      ['HOOKFLOW_REPLAY_RATE', '50/0s', 'HOOKFLOW_REPLAY_RATE must be a rate such as 50/s, 600/m or 100/10s, or off (got "50/0s")'],
      ['HOOKFLOW_REPLAY_RATE', '50', 'HOOKFLOW_REPLAY_RATE must be a rate such as 50/s, 600/m or 100/10s, or off (got "50")'],
      ['HOOKFLOW_REPLAY_RATE', '2.5/s', 'HOOKFLOW_REPLAY_RATE must be a rate such as 50/s, 600/m or 100/10s, or off (got "2.5/s")'],
      ['HOOKFLOW_REPLAY_CONCURRENCY', '0', 'HOOKFLOW_REPLAY_CONCURRENCY must be an integer from 1 to 1000 (got "0")'],
    ])('rejects %s=%p', (name, value, message) => {
      expect(configError({ [name]: value }).message).toBe(message);
    });
  });

  describe('HOOKFLOW_SWEEP_INTERVAL and HOOKFLOW_SWEEP_GRACE', () => {
    it('sweeps every 10 s for work older than 30 s by default, for ingest and engine alike', () => {
      expect(loadConfig({}).sweep).toEqual({ intervalMs: 10_000, graceMs: 30_000 });
    });

    it.each(['0', '2h'])('rejects the interval %p', (interval) => {
      expect(configError({ HOOKFLOW_SWEEP_INTERVAL: interval }).message).toBe(
        `HOOKFLOW_SWEEP_INTERVAL must be a duration from 100ms to 1h (got "${interval}")`,
      );
    });
  });

  describe('HOOKFLOW_RETENTION_EVENTS, HOOKFLOW_RETENTION_INTERVAL and HOOKFLOW_RETENTION_BATCH', () => {
    it('prunes events older than 30 days every 10 minutes, 500 a transaction, by default', () => {
      expect(loadConfig({}).retention).toEqual({ eventsMs: 30 * 86_400_000, intervalMs: 600_000, batchSize: 500 });
    });

    it('reads a retention, an interval and a batch size', () => {
      const config = loadConfig({ HOOKFLOW_RETENTION_EVENTS: '90d', HOOKFLOW_RETENTION_INTERVAL: '1h', HOOKFLOW_RETENTION_BATCH: '2000' });

      expect(config.retention).toEqual({ eventsMs: 90 * 86_400_000, intervalMs: 3_600_000, batchSize: 2_000 });
    });

    it.each(['off', 'OFF', '0'])('keeps every event when the retention is %p', (value) => {
      expect(loadConfig({ HOOKFLOW_RETENTION_EVENTS: value }).retention.eventsMs).toBeUndefined();
    });

    it.each([
      ['HOOKFLOW_RETENTION_EVENTS', '30', 'HOOKFLOW_RETENTION_EVENTS must be a duration from 1d to 3650d, or off (got "30")'],
      ['HOOKFLOW_RETENTION_EVENTS', '12h', 'HOOKFLOW_RETENTION_EVENTS must be a duration from 1d to 3650d, or off (got "12h")'],
      ['HOOKFLOW_RETENTION_EVENTS', 'forever', 'HOOKFLOW_RETENTION_EVENTS must be a duration from 1d to 3650d, or off (got "forever")'],
      ['HOOKFLOW_RETENTION_INTERVAL', '500ms', 'HOOKFLOW_RETENTION_INTERVAL must be a duration from 1s to 24h (got "500ms")'],
      ['HOOKFLOW_RETENTION_BATCH', '0', 'HOOKFLOW_RETENTION_BATCH must be an integer from 1 to 10000 (got "0")'],
    ])('rejects %s=%p', (name, value, message) => {
      expect(configError({ [name]: value }).message).toBe(message);
    });
  });

  describe('HOOKFLOW_REJECTION_LOG_SIZE and HOOKFLOW_REJECTION_LOG_RETENTION', () => {
    it('keeps 1000 rejections per source for 7 days by default', () => {
      expect(loadConfig({}).ingest.rejectionLog).toEqual({ maxPerSource: 1000, retentionMs: 7 * 86_400_000 });
    });

    it('reads a row count and a retention of at least a day', () => {
      expect(loadConfig({ HOOKFLOW_REJECTION_LOG_SIZE: '50', HOOKFLOW_REJECTION_LOG_RETENTION: '36h' }).ingest.rejectionLog).toEqual({
        maxPerSource: 50,
        retentionMs: 36 * 3_600_000,
      });
    });

    it.each([
      ['HOOKFLOW_REJECTION_LOG_SIZE', '5', 'HOOKFLOW_REJECTION_LOG_SIZE must be an integer from 10 to 1000000 (got "5")'],
      ['HOOKFLOW_REJECTION_LOG_RETENTION', '12h', 'HOOKFLOW_REJECTION_LOG_RETENTION must be a duration from 1d to 365d (got "12h")'],
    ])('rejects %s=%p', (name, value, message) => {
      expect(configError({ [name]: value }).message).toBe(message);
    });
  });

  describe('HOOKFLOW_RATE_LIMIT_* and HOOKFLOW_VERIFICATION_RATE_LIMIT_*', () => {
    it('limits each source to 1000/s (burst 2000), and verification failures to 10/s (burst 20) per source and address', () => {
      expect(loadConfig({}).ingest.rateLimits).toEqual({
        deliveries: { perSecond: 1000, burst: 2000 },
        verificationFailures: { perSecond: 10, burst: 20 },
      });
    });

    it('takes a burst of twice the rate when only the rate is set, and 0 as off', () => {
      expect(
        loadConfig({ HOOKFLOW_RATE_LIMIT_PER_SECOND: '50', HOOKFLOW_VERIFICATION_RATE_LIMIT_PER_SECOND: '0' }).ingest.rateLimits,
      ).toEqual({
        deliveries: { perSecond: 50, burst: 100 },
        verificationFailures: { perSecond: 0, burst: 1 },
      });
      expect(loadConfig({ HOOKFLOW_RATE_LIMIT_BURST: '5000' }).ingest.rateLimits.deliveries).toEqual({ perSecond: 1000, burst: 5000 });
    });

    it('rejects a negative rate and an empty bucket', () => {
      expect(configError({ HOOKFLOW_RATE_LIMIT_PER_SECOND: '-1', HOOKFLOW_VERIFICATION_RATE_LIMIT_BURST: '0' }).message).toBe(
        'HOOKFLOW_RATE_LIMIT_PER_SECOND must be an integer from 0 to 1000000 (got "-1")\n' +
          'HOOKFLOW_VERIFICATION_RATE_LIMIT_BURST must be an integer from 1 to 10000000 (got "0")',
      );
    });
  });
});
