import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtFile, REDIS_URL } from '../support/test-env';

/** Runs a built app as a real process and returns its exit code and stderr. */
function startApp(app: 'ingest' | 'engine', env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [builtFile(`apps/${app}/src/main.js`)], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', REDIS_URL, HOOKFLOW_STARTUP_WAIT: '1s', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('start-up', () => {
  let rulesDir: string;

  beforeEach(() => {
    rulesDir = mkdtempSync(join(tmpdir(), 'hookflow-bad-rules-'));
  });
  afterEach(() => rmSync(rulesDir, { recursive: true, force: true }));

  it.each(['ingest', 'engine'] as const)('%s stops with the file name and the problem when a rules file is invalid', (app) => {
    writeFileSync(join(rulesDir, 'good.yaml'), 'sources:\n  - id: ok\n    provider: none\n');
    writeFileSync(
      join(rulesDir, 'broken.yaml'),
      'sources:\n  - id: shop\n    provider: hmac\n    secrets: ["x"]\n    colour: blue\nrules:\n  - id: r\n    source: shop\n    when: "payload.total >"\n    steps:\n      - { id: s, type: http, url: "http://example.com" }\n',
    );

    const { status, stderr } = startApp(app, { HOOKFLOW_RULES_DIR: rulesDir });

    expect(status).toBe(1);
    expect(stderr).toContain(`hookflow ${app}: invalid rules (HOOKFLOW_RULES_DIR):`);
    expect(stderr).toMatch(/broken\.yaml:5:5: sources\.0: unknown key "colour"/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reports every problem at once, each with file, line and column', () => {
    writeFileSync(
      join(rulesDir, 'rules.yaml'),
      'sources:\n  - id: shop\n    provider: hmac\n    secrets: ["${HOOKFLOW_TEST_UNSET_VARIABLE}"]\nrules:\n  - id: r\n    source: nowhere\n    when: "payload.total >"\n    steps:\n      - { id: s, type: http, url: "http://example.com" }\n  - id: r\n    source: shop\n    steps:\n      - { id: s, type: http, url: "{{ payload.( }}" }\n',
    );

    const { status, stderr } = startApp('ingest', { HOOKFLOW_RULES_DIR: rulesDir });

    expect(status).toBe(1);
    const lines = stderr
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(`${rulesDir}/`).join(''));
    expect(lines).toEqual([
      'rules.yaml:2:5: source "shop": variable ${HOOKFLOW_TEST_UNSET_VARIABLE} is not set',
      'rules.yaml:7:13: rule "r" names source "nowhere", which no file defines',
      'rules.yaml:8:11: when: invalid JSONata at position 15: Unexpected end of expression',
      'rules.yaml:11:9: duplicate rule id "r" (first defined in rules.yaml)',
      expect.stringMatching(/^rules\.yaml:14:\d+: url: template \{\{ payload\.\( \}\}: invalid JSONata/),
    ]);
  });

  it('stops with one line naming the variable when a setting is invalid', () => {
    const { status, stderr } = startApp('ingest', { INGEST_PORT: 'eighty', HOOKFLOW_RULES_DIR: rulesDir });
    expect(status).toBe(1);
    expect(stderr.trim()).toBe('hookflow ingest: INGEST_PORT must be an integer from 0 to 65535 (got "eighty")');
  });

  it('stops with one line naming DATABASE_URL when PostgreSQL cannot be reached', () => {
    const { status, stderr } = startApp('engine', {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/hookflow',
      HOOKFLOW_RULES_DIR: rulesDir,
    });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^hookflow engine: cannot reach PostgreSQL at DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/hookflow: /);
  });
});
