import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_FILE_SCHEMA } from './rule-file.schema';

describe('the published rule file schema', () => {
  it('is exactly the schema that validates rule files (regenerate with `hookflow schema > schema/hookflow.schema.json`)', () => {
    const published: unknown = JSON.parse(readFileSync(join(__dirname, '../../../schema/hookflow.schema.json'), 'utf8'));
    expect(published).toEqual(RULE_FILE_SCHEMA);
  });
});
