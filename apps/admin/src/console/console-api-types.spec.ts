import 'reflect-metadata';
import { loadConfig } from '@hookflow/config';
import type { OpenAPIObject } from '@nestjs/swagger';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenApiDocument } from '../openapi/openapi-document';

const ROOT = join(__dirname, '..', '..', '..', '..');

describe("the console's API types", () => {
  let document: OpenAPIObject;
  beforeAll(async () => {
    document = await createOpenApiDocument(loadConfig({ NODE_ENV: 'test' }));
  });

  it("match the admin API's OpenAPI document (regenerate with npm run console:api-types)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const check = spawnSync(process.execPath, [join(ROOT, 'apps/console/scripts/api-types.mjs'), '--document', file, '--check'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cover the calls the console makes', () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api-keys/self',
        '/sources/{id}/health',
        '/sources/{id}/activity',
        '/sources/{id}/rejections',
        '/runs/counts',
        '/dead-letters/groups',
        '/dead-letters/replay',
        '/rules/{id}/test',
        '/events/feed/head',
      ]),
    );
  });
});
