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
    expect(config.ingest.sweepGraceMs).toBe(3_600_000);
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

      expect(error.message).toBe('HOOKFLOW_MASTER_KEY must be set in production (at least 32 characters)');
    });

    it('falls back to a flagged development key outside production', () => {
      for (const nodeEnv of ['development', 'test']) {
        const config = loadConfig({ NODE_ENV: nodeEnv });

        expect(config.security.masterKeyIsDevelopmentDefault).toBe(true);
        expect(config.security.masterKey.length).toBeGreaterThanOrEqual(32);
      }
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
});
