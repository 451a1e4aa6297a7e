import { sign as signGithub } from '@octokit/webhooks-methods';
import { createHmac, generateKeyPairSync, randomBytes, sign as signEcdsa } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { TestStack } from '../support/test-stack';

const SECRET = 'provider-secret-for-rejection-tests';
const WHSEC = `whsec_${randomBytes(24).toString('base64')}`;
const PUBLIC_URL = 'https://hooks.example.com';
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** One signed delivery, and the header whose absence must give missing_signature. */
interface SignedDelivery {
  headers: Record<string, string>;
  signatureHeader: string;
}

const now = (): number => Math.floor(Date.now() / 1000);
const json = { 'content-type': 'application/json' };

/**
 * Each provider's way to sign `body`: the providers' SDKs where they exist; otherwise the scheme
 * their documentation describes (Slack "Verifying requests", Shopify "Verify webhooks").
 */
const SIGNERS: Record<string, (body: string) => Promise<SignedDelivery> | SignedDelivery> = {
  github: async (body) => ({
    headers: { ...json, 'x-github-event': 'push', 'x-hub-signature-256': await signGithub({ secret: SECRET, algorithm: 'sha256' }, body) },
    signatureHeader: 'x-hub-signature-256',
  }),
  stripe: (body) => ({
    headers: {
      ...json,
      'stripe-signature': new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload: body, secret: SECRET }),
    },
    signatureHeader: 'stripe-signature',
  }),
  slack: (body) => {
    const timestamp = String(now());
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return {
      headers: { ...json, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
      signatureHeader: 'x-slack-signature',
    };
  },
  shopify: (body) => ({
    headers: { ...json, 'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64') },
    signatureHeader: 'x-shopify-hmac-sha256',
  }),
  twilio: (body) => {
    const signedUrl = `${PUBLIC_URL}/hooks/twilio`;
    return {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(SECRET, signedUrl, Object.fromEntries(new URLSearchParams(body))),
      },
      signatureHeader: 'x-twilio-signature',
    };
  },
  sendgrid: (body) => {
    const timestamp = String(now());
    return {
      headers: {
        ...json,
        'x-twilio-email-event-webhook-timestamp': timestamp,
        'x-twilio-email-event-webhook-signature': signEcdsa('sha256', Buffer.from(timestamp + body), sendgridKeys.privateKey).toString(
          'base64',
        ),
      },
      signatureHeader: 'x-twilio-email-event-webhook-signature',
    };
  },
  'standard-webhooks': (body) => {
    const id = `msg_${randomBytes(4).toString('hex')}`;
    const at = new Date();
    return {
      headers: {
        ...json,
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new StandardWebhook(WHSEC).sign(id, at, body),
      },
      signatureHeader: 'webhook-signature',
    };
  },
  svix: (body) => {
    const id = `msg_${randomBytes(4).toString('hex')}`;
    const at = new Date();
    return {
      headers: {
        ...json,
        'svix-id': id,
        'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
        'svix-signature': new SvixWebhook(WHSEC).sign(id, at, body),
      },
      signatureHeader: 'svix-signature',
    };
  },
  hmac: async (body) => ({
    headers: { ...json, 'x-signature': await signGithub({ secret: SECRET, algorithm: 'sha256' }, body) },
    signatureHeader: 'x-signature',
  }),
  basic: () => ({
    headers: { ...json, authorization: `Basic ${Buffer.from(`hooks:${SECRET}`).toString('base64')}` },
    signatureHeader: 'authorization',
  }),
  bearer: () => ({ headers: { ...json, authorization: `Bearer ${SECRET}` }, signatureHeader: 'authorization' }),
};

const RULES = `sources:
  - { id: github, provider: github, secrets: ["${SECRET}"] }
  - { id: stripe, provider: stripe, secrets: ["${SECRET}"] }
  - { id: slack, provider: slack, secrets: ["${SECRET}"] }
  - { id: shopify, provider: shopify, secrets: ["${SECRET}"] }
  - { id: twilio, provider: twilio, secrets: ["${SECRET}"] }
  - { id: sendgrid, provider: sendgrid, publicKey: "${sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}" }
  - { id: standard-webhooks, provider: standard-webhooks, secrets: ["${WHSEC}"] }
  - { id: svix, provider: svix, secrets: ["${WHSEC}"] }
  - { id: hmac, provider: hmac, header: X-Signature, secrets: ["${SECRET}"] }
  - { id: basic, provider: basic, username: hooks, secrets: ["${SECRET}"] }
  - { id: bearer, provider: bearer, secrets: ["${SECRET}"] }
`;

/** Every scheme's verdicts through the real ingest endpoint: accepted, and each rejection with its code. */
describe.each(Object.keys(SIGNERS))('%s deliveries at the ingest endpoint', (sourceId) => {
  let stack: TestStack;
  const signer = SIGNERS[sourceId]!;

  beforeAll(async () => {
    stack = await TestStack.start({ rules: { 'all.yaml': RULES }, env: { HOOKFLOW_PUBLIC_URL: PUBLIC_URL }, engine: false });
  });
  afterAll(() => stack?.close());

  function bodyFor(id: string): string {
    const event = { id, type: 'thing.happened', note: 'Zoë “quoted” \u2603 \\u00e9' };
    if (sourceId === 'twilio') return new URLSearchParams({ MessageSid: id, Body: event.note }).toString();
    if (sourceId === 'sendgrid') return JSON.stringify([{ ...event, event: 'delivered', sg_event_id: id }]);
    return JSON.stringify(event);
  }

  async function post(body: string, headers: Record<string, string>): Promise<{ status: number; error?: string }> {
    const response = await fetch(`${stack.ingestUrl}/hooks/${sourceId}`, { method: 'POST', headers, body });
    const answer = (await response.json()) as { error?: string };
    return { status: response.status, error: answer.error };
  }

  const events = async (): Promise<number> => Number((await stack.query<{ count: string }>('SELECT count(*) FROM events'))[0]?.count);

  it('accepts a delivery signed by the provider, byte-exact with unicode and escapes', async () => {
    const body = bodyFor(`ok-${randomBytes(4).toString('hex')}`);
    expect(await post(body, (await signer(body)).headers)).toEqual({ status: 202, error: undefined });
  });

  it('rejects one changed byte of the body as signature_mismatch and stores nothing', async () => {
    const body = bodyFor(`tampered-${randomBytes(4).toString('hex')}`);
    const { headers } = await signer(body);
    const before = await events();
    const tampered = body.replace('thing', 'thinG').replace('MessageSid=tampered', 'MessageSid=Tampered');
    const answer = await post(tampered, headers);
    if (sourceId === 'basic' || sourceId === 'bearer')
      expect(answer.status).toBe(202); // credentials do not sign the body
    else expect(answer).toEqual({ status: 401, error: 'signature_mismatch' });
    if (answer.status === 401) expect(await events()).toBe(before);
  });

  it('rejects a delivery without its signature header as missing_signature', async () => {
    const body = bodyFor(`missing-${randomBytes(4).toString('hex')}`);
    const { headers, signatureHeader } = await signer(body);
    const { [signatureHeader]: _removed, ...rest } = headers;
    expect(await post(body, rest)).toEqual({ status: 401, error: 'missing_signature' });
  });

  it('rejects a garbled signature header as malformed_signature or signature_mismatch', async () => {
    const body = bodyFor(`garbled-${randomBytes(4).toString('hex')}`);
    const { headers, signatureHeader } = await signer(body);
    const answer = await post(body, { ...headers, [signatureHeader]: (headers[signatureHeader] ?? '').slice(0, 12) });
    expect(answer.status).toBe(401);
    expect(['malformed_signature', 'signature_mismatch']).toContain(answer.error);
  });
});
