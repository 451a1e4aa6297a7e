import { join } from 'node:path';
import { loadRulesDirectory } from './rules-directory.loader';
import { formatProblem, RulesValidationError } from './rules-validation.error';

/** The broken rules directories of test/fixtures/rules and the messages each must produce, verbatim. */
const FIXTURES = 'test/fixtures/rules';
const VARIABLES = { SET_VARIABLE: 'x' };

function messagesOf(name: string): string[] {
  try {
    loadRulesDirectory(join(FIXTURES, name), VARIABLES);
  } catch (error) {
    if (error instanceof RulesValidationError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error(`expected ${name} to fail validation`);
}

const CASES: Record<string, string[]> = {
  'unknown-key': [
    'test/fixtures/rules/unknown-key/rules.yaml:11:9: rules.0.steps.0: unknown key "methd"',
    'test/fixtures/rules/unknown-key/rules.yaml:12:5: rules.0: unknown key "retries"',
  ],
  'wrong-type': [
    'test/fixtures/rules/wrong-type/rules.yaml:4:14: sources.0.enabled: must be boolean',
    'test/fixtures/rules/wrong-type/rules.yaml:8:13: rules.0.events: must be array',
    'test/fixtures/rules/wrong-type/rules.yaml:13:29: rules.0.steps.0.headers.X-Count: must be string',
  ],
  'missing-required': [
    'test/fixtures/rules/missing-required/rules.yaml:2:5: sources.0: missing required key "secrets"',
    'test/fixtures/rules/missing-required/rules.yaml:8:9: rules.0.steps.0: missing required key "url"',
    'test/fixtures/rules/missing-required/rules.yaml:10:9: rules.0.steps.1: missing required key "text" or "html"',
  ],
  'duplicate-ids-across-files': [
    'test/fixtures/rules/duplicate-ids-across-files/b.yaml:2:9: duplicate source id "shop" (first defined in test/fixtures/rules/duplicate-ids-across-files/a.yaml)',
    'test/fixtures/rules/duplicate-ids-across-files/b.yaml:5:9: duplicate rule id "big-order" (first defined in test/fixtures/rules/duplicate-ids-across-files/a.yaml)',
    'test/fixtures/rules/duplicate-ids-across-files/b.yaml:11:13: duplicate step id "notify" in rule "big-order"',
  ],
  'missing-source': ['test/fixtures/rules/missing-source/rules.yaml:6:13: rule "big-order" names source "shopp", which no file defines'],
  'jsonata-syntax-error': [
    'test/fixtures/rules/jsonata-syntax-error/rules.yaml:7:11: when: invalid JSONata at position 16: Unexpected end of expression',
    'test/fixtures/rules/jsonata-syntax-error/rules.yaml:11:21: expression: invalid JSONata at position 25: Expected "}" before end of expression',
  ],
  'bad-template': [
    'test/fixtures/rules/bad-template/rules.yaml:12:18: total: template {{ payload.total + }}: invalid JSONata at position 15: Unexpected end of expression',
  ],
  'unset-variable': [
    'test/fixtures/rules/unset-variable/rules.yaml:2:5: source "shop": variable ${SHOP_SECRET} is not set',
    'test/fixtures/rules/unset-variable/rules.yaml:6:5: rule "big-order": variable ${RECEIVER_URL} is not set',
  ],
  'unknown-step-type': [
    'test/fixtures/rules/unknown-step-type/rules.yaml:9:15: rules.0.steps.0.type: must be one of http, transform, email, db',
  ],
  'db-step-missing-connection': [
    'test/fixtures/rules/db-step-missing-connection/rules.yaml:13:21: step "store" of rule "big-order" names connection "warehose", which no file defines',
  ],
  'yaml-syntax-error': [
    'test/fixtures/rules/yaml-syntax-error/rules.yaml:11:1: this line is indented less than the keys above it, but more than the list it belongs to',
  ],
  'reserved-source-id': [
    `test/fixtures/rules/reserved-source-id/rules.yaml:2:9: source id "hookflow" is reserved for Hookflow's own events: rules name it without defining it`,
  ],
  'bad-duration': [
    'test/fixtures/rules/bad-duration/rules.yaml:4:16: sources.0.tolerance: must be a duration such as 250ms, 2s, 5m or 1h',
    'test/fixtures/rules/bad-duration/rules.yaml:8:34: rules.0.retry.delay: must be a duration such as 250ms, 2s, 5m or 1h',
    'test/fixtures/rules/bad-duration/rules.yaml:13:18: rules.0.steps.0.timeout: must be a duration such as 250ms, 2s, 5m or 1h',
  ],
};

describe('rules fixtures', () => {
  it('loads the valid directory cleanly', () => {
    const catalog = loadRulesDirectory(join(FIXTURES, 'valid'), VARIABLES);
    expect(catalog.sources.map((source) => source.id)).toEqual(['shop']);
    expect(catalog.rules.map((rule) => rule.id)).toEqual(['big-order']);
    expect(catalog.connections.map((connection) => connection.id)).toEqual(['warehouse']);
  });

  it('loads the shipped rules directory, whose alert rules name the built-in source hookflow without defining it', () => {
    const catalog = loadRulesDirectory('rules', {});
    expect(catalog.sources.map((source) => source.id)).not.toContain('hookflow');
    expect(catalog.rules.filter((rule) => rule.source === 'hookflow').map((rule) => rule.id)).toEqual([
      'email-on-call',
      'chat-circuit-opened',
    ]);
  });

  it.each(Object.entries(CASES))('reports the problems of %s verbatim', (name, expected) => {
    expect(messagesOf(name)).toEqual(expected);
  });
});
