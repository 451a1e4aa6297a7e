import { sign as signGithub } from '@octokit/webhooks-methods';
import { generateKeyPairSync, createHmac, sign as signEcdsa, randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { TestStack } from '../support/test-stack';

const GITHUB_SECRET = 'gh-secret-for-tests';
const STRIPE_SECRET = 'whsec_stripe_test_secret';
const SLACK_SECRET = 'slack-signing-secret';
const SHOPIFY_SECRET = 'shopify-client-secret';
const TWILIO_TOKEN = 'twilio-auth-token-123';
const MERAKI_SECRET = 'meraki-shared-secret';
const STANDARD_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const SVIX_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const PUBLIC_URL = 'https://hooks.example.com';
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SENDGRID_PUBLIC_KEY = sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

const RULES = `sources:
  - { id: github, provider: github, secrets: ["${GITHUB_SECRET}"] }
  - { id: stripe, provider: stripe, secrets: ["${STRIPE_SECRET}"] }
  - { id: slack, provider: slack, secrets: ["${SLACK_SECRET}"] }
  - { id: shopify, provider: shopify, secrets: ["${SHOPIFY_SECRET}"] }
  - { id: twilio, provider: twilio, secrets: ["${TWILIO_TOKEN}"] }
  - { id: sendgrid, provider: sendgrid, publicKey: "${SENDGRID_PUBLIC_KEY}" }
  - { id: meraki, provider: meraki, secrets: ["${MERAKI_SECRET}"] }
  - { id: standard, provider: standard-webhooks, secrets: ["${STANDARD_SECRET}"] }
  - { id: svix, provider: svix, secrets: ["${SVIX_SECRET}"] }
  - { id: office, provider: none, allowIps: ["203.0.113.0/24", "2001:db8::/32"] }
`;

interface Sent {
  status: number;
  body: Record<string, unknown>;
}

/** Every provider scheme through the real ingest endpoint, signed with the providers' own SDKs. */
describe('provider verification at the ingest endpoint', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      rules: { 'providers.yaml': RULES },
      env: { HOOKFLOW_PUBLIC_URL: PUBLIC_URL, HOOKFLOW_TRUSTED_PROXIES: '127.0.0.1' },
      engine: false,
    });
  });
  afterAll(() => stack?.close());

  async function post(sourceId: string, body: string | Buffer, headers: Record<string, string>, query = ''): Promise<Sent> {
    const response = await fetch(`${stack.ingestUrl}/hooks/${sourceId}${query}`, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function storedEvent(eventId: unknown): Promise<{ type: string; idempotency_key: string; payload: unknown; raw_body: Buffer }> {
    const [row] = await stack.query<{ type: string; idempotency_key: string; payload: unknown; raw_body: Buffer }>(
      'SELECT type, idempotency_key, payload, raw_body FROM events WHERE id = $1',
      [eventId],
    );
    if (!row) throw new Error(`no event ${String(eventId)}`);
    return row;
  }

  it('accepts a GitHub delivery signed by Octokit, typed event.action and keyed by the delivery id', async () => {
    const body = JSON.stringify({ action: 'opened', number: 7, pull_request: { title: 'Zoë’s “fix”' } });
    const headers = { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': 'gh-delivery-1' };
    const answer = await post('github', body, {
      ...headers,
      'x-hub-signature-256': await signGithub({ secret: GITHUB_SECRET, algorithm: 'sha256' }, body),
    });
    expect(answer.status).toBe(202);
    expect(await storedEvent(answer.body.eventId)).toMatchObject({ type: 'pull_request.opened', idempotency_key: 'gh-delivery-1' });
    const tampered = await post('github', body.replace('7', '8'), {
      ...headers,
      'x-hub-signature-256': await signGithub({ secret: GITHUB_SECRET, algorithm: 'sha256' }, body),
    });
    expect(tampered).toMatchObject({ status: 401, body: { error: 'signature_mismatch' } });
  });

  it('accepts a Stripe delivery signed by the Stripe SDK and rejects one signed 10 minutes ago', async () => {
    const body = JSON.stringify({ id: 'evt_123', type: 'payment_intent.succeeded', data: { object: { amount: 4200 } } });
    const stripe = new Stripe('sk_test_unused');
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
    const answer = await post('stripe', body, { 'content-type': 'application/json', 'stripe-signature': header });
    expect(answer.status).toBe(202);
    expect(await storedEvent(answer.body.eventId)).toMatchObject({ type: 'payment_intent.succeeded', idempotency_key: 'evt_123' });
    const stale = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: STRIPE_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(await post('stripe', body, { 'content-type': 'application/json', 'stripe-signature': stale })).toMatchObject({
      status: 401,
      body: { error: 'timestamp_out_of_tolerance' },
    });
  });

  // Slack: "Verifying requests from Slack" (v0 HMAC-SHA256 of v0:timestamp:body).
  function slackHeaders(body: string, contentType: string): Record<string, string> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return { 'content-type': contentType, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature };
  }

  it('answers the Slack url_verification challenge itself, storing nothing', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'challenge-token-xyz', token: 'legacy' });
    const answer = await post('slack', body, slackHeaders(body, 'application/json'));
    expect(answer).toEqual({ status: 200, body: { challenge: 'challenge-token-xyz' } });
    expect(
      await stack.query(`SELECT id FROM events WHERE source_id = 'slack' AND payload->>'challenge' = 'challenge-token-xyz'`),
    ).toHaveLength(0);
  });

  it('parses a Slack interactivity form whose payload field is JSON', async () => {
    const inner = { type: 'block_actions', trigger_id: 't-1', user: { id: 'U1' } };
    const body = new URLSearchParams({ payload: JSON.stringify(inner) }).toString();
    const answer = await post('slack', body, slackHeaders(body, 'application/x-www-form-urlencoded'));
    expect(answer.status).toBe(202);
    expect(await storedEvent(answer.body.eventId)).toMatchObject({ type: 'block_actions', payload: inner });
  });

  it('accepts a Shopify delivery and takes type and key from its headers', async () => {
    // Shopify: "Verify webhooks" (base64 HMAC-SHA256 of the raw body).
    const body = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com' });
    const hmac = createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64');
    const headers = {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    };
    const answer = await post('shopify', body, { ...headers, 'x-shopify-hmac-sha256': hmac });
    expect(answer.status).toBe(202);
    expect(await storedEvent(answer.body.eventId)).toMatchObject({
      type: 'orders/create',
      idempotency_key: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    });
  });

  it('verifies a Twilio form delivery over the public URL, signed by the Twilio SDK', async () => {
    const params = { MessageSid: 'SM123', From: '+15551234567', Body: 'Héllo & goodbye', SmsStatus: 'received' };
    const body = new URLSearchParams(params).toString();
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_URL}/hooks/twilio`, params);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'i-twilio-idempotency-token': 'twilio-idem-1' };
    const answer = await post('twilio', body, { ...headers, 'x-twilio-signature': signature });
    expect(answer.status).toBe(202);
    expect(await storedEvent(answer.body.eventId)).toMatchObject({ idempotency_key: 'twilio-idem-1', payload: params });
    const otherUrl = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, 'https://elsewhere.example.com/hooks/twilio', params);
    expect((await post('twilio', body, { ...headers, 'x-twilio-signature': otherUrl })).body.error).toBe('signature_mismatch');
  });

  it('splits a signed SendGrid batch into one event per element, keyed by sg_event_id', async () => {
    const batch = [
      { email: 'a@example.com', event: 'delivered', sg_event_id: 'sg-1', timestamp: 1 },
      { email: 'b@example.com', event: 'open', sg_event_id: 'sg-2', timestamp: 2 },
    ];
    const body = JSON.stringify(batch);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signEcdsa('sha256', Buffer.from(timestamp + body), sendgridKeys.privateKey).toString('base64');
    const headers = {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': timestamp,
      'x-twilio-email-event-webhook-signature': signature,
    };
    const answer = await post('sendgrid', body, headers);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ duplicates: 0 });
    const events = await Promise.all((answer.body.eventIds as string[]).map(storedEvent));
    expect(events.map((event) => [event.type, event.idempotency_key])).toEqual([
      ['delivered', 'sg-1'],
      ['open', 'sg-2'],
    ]);
    // Each element keeps its own JSON as its raw body, not a copy of the whole batch.
    expect(events.map((event) => JSON.parse(event.raw_body.toString('utf8')) as unknown)).toEqual(batch);
    expect(await post('sendgrid', body.replace('open', 'click'), headers)).toMatchObject({
      status: 401,
      body: { error: 'signature_mismatch' },
    });

    // A later batch repeating an event already stored, and one twice within itself: each keyed once.
    const again = JSON.stringify([
      { email: 'a@example.com', event: 'delivered', sg_event_id: 'sg-1', timestamp: 1 },
      { email: 'c@example.com', event: 'bounce', sg_event_id: 'sg-3', timestamp: 3 },
      { email: 'c@example.com', event: 'bounce', sg_event_id: 'sg-3', timestamp: 3 },
    ]);
    const againSignature = signEcdsa('sha256', Buffer.from(timestamp + again), sendgridKeys.privateKey).toString('base64');
    const second = await post('sendgrid', again, { ...headers, 'x-twilio-email-event-webhook-signature': againSignature });
    expect(second.status).toBe(202);
    expect(second.body.duplicates).toBe(2);
    const [repeated, bounce, bounceAgain] = second.body.eventIds as string[];
    expect(repeated).toBe((answer.body.eventIds as string[])[0]);
    expect(bounceAgain).toBe(bounce);
    expect((await storedEvent(bounce!)).idempotency_key).toBe('sg-3');
  });

  it('refuses a SendGrid batch of more than 5,000 events with 413 too_many_events', async () => {
    const body = JSON.stringify(Array.from({ length: 5_001 }, (_, index) => ({ event: 'open', sg_event_id: `big-${index}` })));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signEcdsa('sha256', Buffer.from(timestamp + body), sendgridKeys.privateKey).toString('base64');
    const answer = await post('sendgrid', body, {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': timestamp,
      'x-twilio-email-event-webhook-signature': signature,
    });
    expect(answer).toMatchObject({ status: 413, body: { error: 'too_many_events' } });
  });

  it('checks the Meraki shared secret and never stores it', async () => {
    const body = JSON.stringify({ version: '0.1', sharedSecret: MERAKI_SECRET, alertId: 'alert-42', alertType: 'APs went down' });
    const answer = await post('meraki', body, { 'content-type': 'application/json' });
    expect(answer.status).toBe(202);
    const event = await storedEvent(answer.body.eventId);
    expect(event).toMatchObject({ type: 'APs went down', idempotency_key: 'alert-42' });
    expect(JSON.stringify(event.payload)).not.toContain(MERAKI_SECRET);
    expect(event.raw_body.toString('utf8')).not.toContain(MERAKI_SECRET);
    const wrong = await post('meraki', body.replace(MERAKI_SECRET, 'guess'), { 'content-type': 'application/json' });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'signature_mismatch' } });
  });

  it.each([
    ['standard', () => new StandardWebhook(STANDARD_SECRET), 'webhook'],
    ['svix', () => new SvixWebhook(SVIX_SECRET), 'svix'],
  ] as const)('accepts a %s delivery signed by its SDK and keys it by the message id', async (sourceId, webhook, prefix) => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });
    const messageId = `msg_${sourceId}_1`;
    const now = new Date();
    const signature = webhook().sign(messageId, now, body);
    const headers = {
      'content-type': 'application/json',
      [`${prefix}-id`]: messageId,
      [`${prefix}-timestamp`]: String(Math.floor(now.getTime() / 1000)),
      [`${prefix}-signature`]: signature,
    };
    const answer = await post(sourceId, body, headers);
    expect(answer.status).toBe(202);
    expect(await storedEvent(answer.body.eventId)).toMatchObject({ type: 'invoice.paid', idempotency_key: messageId });
    expect((await post(sourceId, `${body} `, headers)).body.error).toBe('signature_mismatch');
  });

  it('answers 403 ip_not_allowed outside allowIps, believing X-Forwarded-For only from a trusted proxy', async () => {
    const body = JSON.stringify({ type: 'door.opened', id: 'd-1' });
    const allowed = await post('office', body, { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' });
    expect(allowed.status).toBe(202);
    const refused = await post('office', body, { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' });
    expect(refused).toMatchObject({ status: 403, body: { error: 'ip_not_allowed' } });
    const ipv6 = await post('office', JSON.stringify({ type: 'door.opened', id: 'd-2' }), {
      'content-type': 'application/json',
      'x-forwarded-for': '2001:db8::7',
    });
    expect(ipv6.status).toBe(202);
  });
});

describe('forwarded headers at the ingest endpoint', () => {
  const rules = {
    'proxy.yaml': `sources:
  - { id: twilio, provider: twilio, secrets: ["${TWILIO_TOKEN}"] }
  - { id: office, provider: none, allowIps: ["203.0.113.0/24"] }
  - { id: github, provider: github, secrets: ["${GITHUB_SECRET}"] }
`,
  };
  const params = { MessageSid: 'SM999', Body: 'via proxy' };
  const body = new URLSearchParams(params).toString();
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'forwarded.example.com', 'x-forwarded-for': '203.0.113.9' };
  const twilioHeaders = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, 'https://forwarded.example.com/hooks/twilio', params),
    ...forwarded,
  };

  async function statusOf(stack: TestStack, sourceId: string, payload: string, headers: Record<string, string>): Promise<number> {
    const response = await fetch(`${stack.ingestUrl}/hooks/${sourceId}`, { method: 'POST', headers, body: payload });
    await response.arrayBuffer();
    return response.status;
  }

  it('believes X-Forwarded-Proto/Host/For from a trusted proxy', async () => {
    const stack = await TestStack.start({ rules, env: { HOOKFLOW_TRUSTED_PROXIES: '127.0.0.1' }, engine: false });
    try {
      expect(await statusOf(stack, 'twilio', body, twilioHeaders)).toBe(202);
      expect(await statusOf(stack, 'office', '{"type":"door.opened"}', { 'content-type': 'application/json', ...forwarded })).toBe(202);
    } finally {
      await stack.close();
    }
  });

  it('ignores forwarded headers from a peer that is not a trusted proxy', async () => {
    const stack = await TestStack.start({ rules, engine: false });
    try {
      expect(await statusOf(stack, 'twilio', body, twilioHeaders)).toBe(401);
      expect(await statusOf(stack, 'office', '{"type":"door.opened"}', { 'content-type': 'application/json', ...forwarded })).toBe(403);
    } finally {
      await stack.close();
    }
  });

  it('unwraps a GitHub delivery sent with the form content type', async () => {
    const stack = await TestStack.start({ rules, engine: false });
    try {
      const json = JSON.stringify({ action: 'created', comment: { id: 1 } });
      const form = new URLSearchParams({ payload: json }).toString();
      const response = await fetch(`${stack.ingestUrl}/hooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-github-event': 'issue_comment',
          'x-github-delivery': 'gh-form-1',
          'x-hub-signature-256': await signGithub({ secret: GITHUB_SECRET, algorithm: 'sha256' }, form),
        },
        body: form,
      });
      const answer = (await response.json()) as { eventId: string };
      expect(response.status).toBe(202);
      const [event] = await stack.query<{ type: string; payload: unknown }>('SELECT type, payload FROM events WHERE id = $1', [
        answer.eventId,
      ]);
      expect(event).toEqual({ type: 'issue_comment.created', payload: JSON.parse(json) as unknown });
    } finally {
      await stack.close();
    }
  });
});
