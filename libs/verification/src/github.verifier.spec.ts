import { compileExpression, DEFAULT_EXPRESSION_LIMITS } from '@hookflow/rules';
import webhookDefinitions from '@octokit/webhooks-examples';
import { sign } from '@octokit/webhooks-methods';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { GithubVerifier } from './github.verifier';
import { verifierFor } from './verifier-registry';
import { DeliveryRequest, VerifiableSource } from './verifier';

/** These tests check what the provider's expressions give, not how fast: no time limit a busy machine could hit. */
const UNHURRIED = { ...DEFAULT_EXPRESSION_LIMITS, timeoutMs: 10_000 };

const SECRET = 'It’s a Secret to Everybody';
const BODY = '{"action":"opened","number":42,"pull_request":{"title":"Fix the build"}}';
const DELIVERY_ID = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

const verifier = new GithubVerifier();

function source(secrets: string[] = [SECRET]): VerifiableSource {
  return { id: 'github', provider: 'github', secrets, settings: {} };
}

function delivery(rawBody: Buffer | string, headers: Record<string, string>): DeliveryRequest {
  return {
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody,
    headers: { 'x-github-event': 'pull_request', 'x-github-delivery': DELIVERY_ID, 'user-agent': 'GitHub-Hookshot/044aadd', ...headers },
    url: '/hooks/github',
    receivedAt: new Date('2026-01-01T00:00:00Z'),
  };
}

/** Signed by Octokit, GitHub's own webhook library. */
function signed(body: string, secret = SECRET): Promise<string> {
  return sign({ secret, algorithm: 'sha256' }, body);
}

const eventType = compileExpression(verifier.defaults.eventType, UNHURRIED);
const idempotencyKey = compileExpression(verifier.defaults.idempotencyKey, UNHURRIED);

function context(headers: Record<string, string>, payload: unknown) {
  return { event: { source: 'github', receivedAt: '2026-01-01T00:00:00.000Z', headers }, payload };
}

describe('GithubVerifier', () => {
  it('is registered as the github provider', () => {
    expect(verifier.provider).toBe('github');
    expect(verifierFor('github')).toBeInstanceOf(GithubVerifier);
  });

  it('accepts a delivery signed by Octokit in X-Hub-Signature-256', async () => {
    const signature = await signed(BODY);

    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifier.verify(delivery(BODY, { 'x-hub-signature-256': signature }), source())).toEqual({ ok: true });
  });

  it('matches the test vector in GitHub\'s "Validating webhook deliveries" guide', () => {
    const documented = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

    expect(
      verifier.verify(delivery('Hello, World!', { 'x-hub-signature-256': documented }), source(["It's a Secret to Everybody"])),
    ).toEqual({
      ok: true,
    });
  });

  it('accepts upper-case hex and surrounding whitespace', async () => {
    const hex = (await signed(BODY)).slice('sha256='.length).toUpperCase();

    expect(verifier.verify(delivery(BODY, { 'x-hub-signature-256': `  sha256=${hex} ` }), source())).toEqual({ ok: true });
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', async () => {
    const signature = await signed(BODY, 'the-new-secret');

    expect(verifier.verify(delivery(BODY, { 'x-hub-signature-256': signature }), source([SECRET, 'the-new-secret']))).toEqual({ ok: true });
  });

  it('rejects a delivery signed with another secret', async () => {
    const signature = await signed(BODY, 'someone-else');

    expect(verifier.verify(delivery(BODY, { 'x-hub-signature-256': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a delivery with one byte of the body changed', async () => {
    const signature = await signed(BODY);
    const tampered = Buffer.from(BODY, 'utf8');
    tampered[tampered.indexOf('42')] = '5'.charCodeAt(0);

    expect(verifier.verify(delivery(tampered, { 'x-hub-signature-256': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects the same JSON re-serialised with other whitespace', async () => {
    const signature = await signed(BODY);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);

    expect(JSON.parse(reserialised)).toEqual(JSON.parse(BODY));
    expect(verifier.verify(delivery(reserialised, { 'x-hub-signature-256': signature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('verifies unicode and escaped payloads byte for byte', async () => {
    const literal = '{"action":"created","comment":{"body":"Zoë 🚀 says \\"naïve\\"\\n"}}';
    const escaped = '{"action":"created","comment":{"body":"Zo\\u00eb \\ud83d\\ude80 says \\"na\\u00efve\\"\\n"}}';
    const literalSignature = await signed(literal);
    const escapedSignature = await signed(escaped);

    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(verifier.verify(delivery(literal, { 'x-hub-signature-256': literalSignature }), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, { 'x-hub-signature-256': escapedSignature }), source())).toEqual({ ok: true });
    expect(verifier.verify(delivery(escaped, { 'x-hub-signature-256': literalSignature }), source())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it.each([
    ['absent', {}],
    ['empty', { 'x-hub-signature-256': '' }],
    ['blank', { 'x-hub-signature-256': '   ' }],
  ])('rejects a delivery whose X-Hub-Signature-256 is %s as missing', (_case, headers: Record<string, string>) => {
    expect(verifier.verify(delivery(BODY, headers), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'header x-hub-signature-256 is missing',
      evidence: { signatureHeader: 'x-hub-signature-256' },
    });
  });

  it('does not fall back to the SHA-1 X-Hub-Signature', async () => {
    const sha1 = await sign({ secret: SECRET, algorithm: 'sha1' }, BODY);

    expect(verifier.verify(delivery(BODY, { 'x-hub-signature': sha1 }), source())).toEqual({
      ok: false,
      reason: 'missing_signature',
      detail: 'header x-hub-signature-256 is missing (the SHA-1 x-hub-signature is not accepted)',
      evidence: { signatureHeader: 'x-hub-signature-256' },
    });
  });

  it('rejects truncated or garbled signatures as malformed', async () => {
    const signature = await signed(BODY);
    const hex = signature.slice('sha256='.length);
    const garbled = [
      signature.slice(0, -1),
      `${signature}0`,
      `${signature.slice(0, -1)}g`,
      'sha256=',
      'sha256',
      hex,
      `sha1=${hex.slice(0, 40)}`,
      `sha512=${hex}`,
      `sha256=${Buffer.from(hex, 'hex').toString('base64')}`,
      `sha256=${hex},sha256=${hex}`,
      `sha256 =${hex}`,
      'not a signature',
    ];

    for (const header of garbled) {
      expect([header, verifier.verify(delivery(BODY, { 'x-hub-signature-256': header }), source())]).toEqual([
        header,
        expect.objectContaining({ ok: false, reason: 'malformed_signature' }),
      ]);
    }
  });

  it('never echoes a secret or the expected signature in its detail', async () => {
    const expected = (await signed(BODY)).slice('sha256='.length);
    const verdict = verifier.verify(delivery(BODY, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }), source());

    expect(verdict).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(JSON.stringify(verdict)).not.toContain(SECRET);
    expect(JSON.stringify(verdict)).not.toContain(expected);
  });

  it('never throws and never accepts random headers and bodies', () => {
    for (let iteration = 0; iteration < 500; iteration++) {
      const body = randomBytes(randomInt(0, 256));
      const raw = randomBytes(randomInt(0, 80));
      const candidates = [
        `sha256=${raw.toString('hex').slice(0, 64)}`,
        raw.toString('hex'),
        raw.toString('latin1'),
        raw.toString('base64'),
      ];
      const header = candidates[iteration % candidates.length] ?? '';

      const verdict = verifier.verify(delivery(body, { 'x-hub-signature-256': header }), source([SECRET, 'second']));

      expect(verdict.ok).toBe(false);
    }
  });

  describe('with the example deliveries of @octokit/webhooks-examples', () => {
    const kinds = webhookDefinitions
      .filter((definition) => definition.examples.length > 0)
      .map((definition): [string, Record<string, unknown>[]] => [
        definition.name,
        definition.examples as unknown as Record<string, unknown>[],
      ]);

    async function typesOf(name: string): Promise<unknown[]> {
      const examples = kinds.find(([kind]) => kind === name)?.[1] ?? [];
      return Promise.all(examples.map((example) => eventType.evaluate(context({ 'x-github-event': name }, example))));
    }

    it('covers at least 15 event kinds, with and without actions', () => {
      const examples = kinds.flatMap(([, list]) => list);

      expect(kinds.length).toBeGreaterThanOrEqual(15);
      expect(examples.some((example) => typeof example.action === 'string')).toBe(true);
      expect(examples.some((example) => example.action === undefined)).toBe(true);
    });

    it.each(kinds)('verifies every %s example and names it <event>[.<action>], keyed by X-GitHub-Delivery', async (name, examples) => {
      for (const example of examples) {
        const body = JSON.stringify(example);
        const deliveryId = randomUUID();
        const headers = { 'x-github-event': name, 'x-github-delivery': deliveryId, 'x-hub-signature-256': await signed(body) };
        const payload: unknown = JSON.parse(body);
        const expectedType = typeof example.action === 'string' ? `${name}.${example.action}` : name;

        expect(verifier.verify(delivery(body, headers), source())).toEqual({ ok: true });
        expect(await eventType.evaluate(context(headers, payload))).toBe(expectedType);
        expect(await idempotencyKey.evaluate(context(headers, payload))).toBe(deliveryId);
      }
    });

    it('names real deliveries pull_request.opened, issues.labeled, ping and push', async () => {
      expect(await typesOf('pull_request')).toContain('pull_request.opened');
      expect(await typesOf('issues')).toContain('issues.labeled');
      expect(new Set(await typesOf('ping'))).toEqual(new Set(['ping']));
      expect(new Set(await typesOf('push'))).toEqual(new Set(['push']));
      expect(await typesOf('workflow_run')).toContain('workflow_run.completed');
    });
  });

  describe('default event type', () => {
    async function typeOf(githubEvent: string | undefined, payload: unknown): Promise<unknown> {
      const headers: Record<string, string> = githubEvent === undefined ? {} : { 'x-github-event': githubEvent };
      return eventType.evaluate(context(headers, payload));
    }

    it('appends the action: pull_request.opened, issues.labeled', async () => {
      expect(await typeOf('pull_request', { action: 'opened', number: 1 })).toBe('pull_request.opened');
      expect(await typeOf('issues', { action: 'labeled' })).toBe('issues.labeled');
    });

    it('keeps events without an action as they are: ping, push', async () => {
      expect(await typeOf('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).toBe('ping');
      expect(await typeOf('push', { ref: 'refs/heads/main', commits: [] })).toBe('push');
    });

    it('ignores an action that is not a string', async () => {
      expect(await typeOf('custom', { action: 5 })).toBe('custom');
      expect(await typeOf('custom', { action: null })).toBe('custom');
      expect(await typeOf('custom', { action: { name: 'x' } })).toBe('custom');
      expect(await typeOf('custom', 'not an object')).toBe('custom');
    });

    it('is absent without an X-GitHub-Event header, even when the payload has an action', async () => {
      expect(await typeOf(undefined, { action: 'opened' })).toBeUndefined();
    });

    it('leaves the idempotency key absent without an X-GitHub-Delivery header', async () => {
      expect(await idempotencyKey.evaluate(context({ 'x-github-event': 'ping' }, {}))).toBeUndefined();
    });
  });
});
