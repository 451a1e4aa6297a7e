import { RejectionLog } from '@hookflow/ingest';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { createHash, randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { AdminClient } from '../support/admin-client';
import { TestStack } from '../support/test-stack';

const SECRET = 'diagnostics-e2e-secret-71c0';
const WHSEC = `whsec_${randomBytes(24).toString('base64')}`;
const JSON_TYPE = { 'content-type': 'application/json' };

const RULES = `sources:
  - { id: stripe, provider: stripe, secrets: ["${SECRET}"] }
  - { id: github, provider: github, secrets: ["${SECRET}"] }
  - { id: standard-webhooks, provider: standard-webhooks, secrets: ["${WHSEC}"] }
  - { id: svix, provider: svix, secrets: ["${WHSEC}"], tolerance: 60s }
  - { id: fenced, provider: github, secrets: ["${SECRET}"], allowIps: ["203.0.113.0/24"] }
`;

interface StoredRow extends Record<string, unknown> {
  source_id: string;
  reason: string;
  diagnostics: Record<string, any> | null;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function payload(): Record<string, unknown> {
  return { id: `evt_${randomBytes(4).toString('hex')}`, type: 'invoice.paid', data: { amount: 1200, note: 'Zoë “quoted” / ☃' } };
}

/**
 * A refused delivery's diagnostics, end to end: signed with the providers' SDKs, refused by ingest,
 * written by the rejection log, read back through the admin API.
 */
describe('rejection diagnostics', () => {
  let stack: TestStack;
  let admin: AdminClient;

  beforeAll(async () => {
    stack = await TestStack.start({ rules: { 'sources.yaml': RULES }, engine: false, admin: true });
    admin = new AdminClient(stack.adminUrl, await stack.createApiKey('read'));
  });
  afterAll(() => stack?.close());

  beforeEach(() => stack.query('DELETE FROM ingest_rejections'));

  async function post(sourceId: string, body: string, headers: Record<string, string>): Promise<{ status: number; error: string }> {
    const response = await fetch(`${stack.ingestUrl}/hooks/${sourceId}`, { method: 'POST', headers, body });
    return { status: response.status, error: ((await response.json()) as { error: string }).error };
  }

  async function storedRows(sourceId: string): Promise<StoredRow[]> {
    await stack.ingest!.get(RejectionLog).flushed();
    return stack.query<StoredRow>('SELECT * FROM ingest_rejections WHERE source_id = $1 ORDER BY id', [sourceId]);
  }

  it('hints that a Stripe sender signed the body pretty-printed but sent it compact', async () => {
    const event = payload();
    const header = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
      payload: JSON.stringify(event, null, 2),
      secret: SECRET,
    });
    const sent = JSON.stringify(event);

    expect(await post('stripe', sent, { ...JSON_TYPE, 'stripe-signature': header })).toEqual({ status: 401, error: 'signature_mismatch' });

    const [row] = await storedRows('stripe');
    expect(row?.diagnostics).toEqual({
      provider: 'stripe',
      signatureHeader: 'stripe-signature',
      bodyBytes: Buffer.byteLength(sent),
      bodySha256: sha256(sent),
      contentType: 'application/json',
      timestampSkewSeconds: expect.any(Number),
      toleranceSeconds: 300,
      reserialisation: { signedForm: 'JSON indented by 2 spaces', hint: expect.stringContaining('sign the raw bytes exactly as sent') },
    });
    expect(Math.abs(row!.diagnostics!.timestampSkewSeconds as number)).toBeLessThanOrEqual(5);

    const answer = await admin.get('/sources/stripe/rejections');
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([expect.objectContaining({ reason: 'signature_mismatch', diagnostics: row!.diagnostics })]);
    expectNoSecretOrSignature([row, answer.body], [SECRET, header, signatureOf(header)]);
  });

  it('hints the reverse for GitHub: signed compact, re-serialised with 4-space indents on the way', async () => {
    const event = payload();
    const signature = await signGithub({ secret: SECRET, algorithm: 'sha256' }, JSON.stringify(event));
    const sent = JSON.stringify(event, null, 4);

    expect(await post('github', sent, { ...JSON_TYPE, 'x-github-event': 'push', 'x-hub-signature-256': signature })).toEqual({
      status: 401,
      error: 'signature_mismatch',
    });

    const [row] = await storedRows('github');
    expect(row?.diagnostics).toMatchObject({
      provider: 'github',
      signatureHeader: 'x-hub-signature-256',
      bodyBytes: Buffer.byteLength(sent),
      bodySha256: sha256(sent),
      reserialisation: { signedForm: 'compact JSON' },
    });
    expectNoSecretOrSignature([row, (await admin.get('/sources/github/rejections')).body], [SECRET, signature.slice('sha256='.length)]);
  });

  it('gives no hint when the secret is wrong, whatever the form', async () => {
    const sent = JSON.stringify(payload());
    const signature = await signGithub({ secret: 'not-the-secret', algorithm: 'sha256' }, sent);
    await post('github', sent, { ...JSON_TYPE, 'x-hub-signature-256': signature });

    const [row] = await storedRows('github');
    expect(row?.diagnostics).toMatchObject({ provider: 'github', bodySha256: sha256(sent) });
    expect(row?.diagnostics).not.toHaveProperty('reserialisation');
  });

  it('records the skew and the default tolerance of a stale Standard Webhooks delivery', async () => {
    const sent = JSON.stringify(payload());
    const at = new Date(Date.now() - 20 * 60_000);
    const signature = new StandardWebhook(WHSEC).sign('msg_stale', at, sent);
    const headers = { ...JSON_TYPE, 'webhook-id': 'msg_stale', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)) };

    expect(await post('standard-webhooks', sent, { ...headers, 'webhook-signature': signature })).toEqual({
      status: 401,
      error: 'timestamp_out_of_tolerance',
    });

    const [row] = await storedRows('standard-webhooks');
    expect(row?.diagnostics).toMatchObject({
      provider: 'standard-webhooks',
      signatureHeader: 'webhook-signature',
      timestampHeader: 'webhook-timestamp',
      toleranceSeconds: 300,
      bodySha256: sha256(sent),
    });
    expect(row!.diagnostics!.timestampSkewSeconds).toBeGreaterThanOrEqual(1_200);
    expect(row!.diagnostics!.timestampSkewSeconds).toBeLessThanOrEqual(1_210);
    const answer = await admin.get('/sources/standard-webhooks/rejections');
    expect(answer.body.items[0].diagnostics).toMatchObject({
      timestampSkewSeconds: row!.diagnostics!.timestampSkewSeconds,
      toleranceSeconds: 300,
    });
    expectNoSecretOrSignature([row, answer.body], [WHSEC, WHSEC.slice('whsec_'.length), signature.slice('v1,'.length)]);
  });

  it("records a Svix delivery dated in the future against the source's own tolerance", async () => {
    const sent = JSON.stringify(payload());
    const at = new Date(Date.now() + 2 * 60_000);
    const signature = new SvixWebhook(WHSEC).sign('msg_ahead', at, sent);
    await post('svix', sent, {
      ...JSON_TYPE,
      'svix-id': 'msg_ahead',
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': signature,
    });

    const [row] = await storedRows('svix');
    expect(row).toMatchObject({
      reason: 'timestamp_out_of_tolerance',
      diagnostics: { provider: 'svix', signatureHeader: 'svix-signature', timestampHeader: 'svix-timestamp', toleranceSeconds: 60 },
    });
    expect(row!.diagnostics!.timestampSkewSeconds).toBeLessThanOrEqual(-115);
    expect(row!.diagnostics!.timestampSkewSeconds).toBeGreaterThanOrEqual(-125);
  });

  it('describes a delivery refused for its address by its body, and keeps none for an unknown source', async () => {
    const sent = JSON.stringify(payload());
    expect((await post('fenced', sent, JSON_TYPE)).status).toBe(403);
    expect((await post('nowhere', sent, JSON_TYPE)).status).toBe(404);

    expect((await storedRows('fenced'))[0]?.diagnostics).toEqual({
      provider: 'github',
      bodyBytes: Buffer.byteLength(sent),
      bodySha256: sha256(sent),
      contentType: 'application/json',
    });
    expect((await storedRows('nowhere'))[0]?.diagnostics).toBeNull();
  });
});

/** The `v1=` hex of a Stripe-Signature header. */
function signatureOf(stripeHeader: string): string {
  return /v1=([0-9a-f]+)/.exec(stripeHeader)?.[1] ?? stripeHeader;
}

/** Neither a secret nor a signature, nor even a 16-character piece of one, is in what was stored or answered. */
function expectNoSecretOrSignature(stored: unknown[], secrets: string[]): void {
  const text = JSON.stringify(stored);
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThanOrEqual(16);
    for (let start = 0; start + 16 <= secret.length; start += 8) expect(text).not.toContain(secret.slice(start, start + 16));
  }
}
