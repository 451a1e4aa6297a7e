import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { SignedDelivery, SigningError, SigningRequest } from './signer';
import { signerFor } from './signer-registry';
import { supportedProviders, verifierFor } from './verifier-registry';
import { DeliveryVerdict } from './verifier';

const NOW = new Date('2026-03-01T12:00:00Z');
const SECRET = 'signing-secret-0123456789';
const WHSEC = `whsec_${randomBytes(24).toString('base64')}`;
const JSON_BODY = '{"id":"evt_1","type":"order.created","total":1234.5,"customer":"Zoë «quoted» ☃"}';
const FORM_BODY = new URLSearchParams([
  ['MessageSid', 'SM123'],
  ['Body', 'Hello & goodbye = 2'],
  ['From', '+14158675309'],
  ['Body', 'second value'],
]).toString();
const HOOK_URL = 'https://hooks.example.com/hooks/src';

interface Case {
  provider: string;
  settings?: Record<string, unknown>;
  secret?: string;
  body?: string;
  contentType?: string;
}

/** One per scheme and per setting that changes how it signs. */
const CASES: [string, Case][] = [
  ['hmac with the default settings', { provider: 'hmac' }],
  ['hmac, SHA-1 in base64 with a prefix', { provider: 'hmac', settings: { algorithm: 'sha1', encoding: 'base64', prefix: 'sig=' } }],
  ['hmac in a custom header', { provider: 'hmac', settings: { header: 'X-Meter-Signature' } }],
  [
    'hmac, SHA-512 over a timestamp',
    { provider: 'hmac', settings: { algorithm: 'sha512', timestampHeader: 'X-Timestamp', tolerance: '1m' } },
  ],
  [
    'hmac with its own signed content',
    { provider: 'hmac', settings: { timestampHeader: 'X-Sent-At', signedContent: 'v1:{timestamp}:{body}:end' } },
  ],
  ['github', { provider: 'github' }],
  ['stripe', { provider: 'stripe' }],
  ['slack', { provider: 'slack' }],
  ['shopify', { provider: 'shopify' }],
  ['standard-webhooks', { provider: 'standard-webhooks', secret: WHSEC }],
  ['svix', { provider: 'svix', secret: WHSEC }],
  ['twilio with a form body', { provider: 'twilio', body: FORM_BODY, contentType: 'application/x-www-form-urlencoded' }],
  ['twilio with a JSON body', { provider: 'twilio' }],
  [
    'twilio with a form body and a publicUrl',
    {
      provider: 'twilio',
      body: FORM_BODY,
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      settings: { publicUrl: 'https://public.example.com/sms' },
    },
  ],
  ['twilio with a JSON body and a publicUrl', { provider: 'twilio', settings: { publicUrl: 'https://public.example.com/sms' } }],
  ['basic', { provider: 'basic', settings: { username: 'hookflow' } }],
  ['bearer', { provider: 'bearer' }],
  ['bearer in a custom header', { provider: 'bearer', settings: { header: 'X-Api-Token' } }],
  ['meraki', { provider: 'meraki' }],
  ['none', { provider: 'none' }],
];

function request(testCase: Case, overrides: Partial<SigningRequest> = {}): SigningRequest {
  return {
    body: Buffer.from(testCase.body ?? JSON_BODY, 'utf8'),
    contentType: testCase.contentType ?? 'application/json',
    url: HOOK_URL,
    secret: testCase.secret ?? SECRET,
    settings: testCase.settings ?? {},
    now: NOW,
    deliveryId: 'msg_2mYbBBxrzAX3Xf5yVgA1QO6AUVB',
    ...overrides,
  };
}

function sign(testCase: Case, overrides: Partial<SigningRequest> = {}): SignedDelivery {
  const signer = signerFor(testCase.provider);
  if (!signer) throw new Error(`no signer for ${testCase.provider}`);
  return signer.sign(request(testCase, overrides));
}

/** What Hookflow's own verifier says of a signed delivery, received `secondsLater` after signing. */
function verdict(testCase: Case, signed: SignedDelivery, secrets = [testCase.secret ?? SECRET], secondsLater = 1): DeliveryVerdict {
  const verifier = verifierFor(testCase.provider)!;
  return verifier.verify(
    {
      rawBody: signed.body,
      headers: { 'content-type': testCase.contentType ?? 'application/json', ...signed.headers },
      url: signed.url,
      receivedAt: new Date(NOW.getTime() + secondsLater * 1000),
    },
    { id: 'src', provider: testCase.provider, secrets, settings: testCase.settings ?? {} },
  );
}

describe('signers', () => {
  it('has a signer for every provider a source can have', () => {
    expect(supportedProviders().filter((provider) => signerFor(provider) === undefined)).toEqual([]);
    expect(signerFor('carrier-pigeon')).toBeUndefined();
  });

  it.each(CASES)('%s: makes a delivery its verifier accepts', (_name, testCase) => {
    expect(verdict(testCase, sign(testCase))).toEqual({ ok: true });
  });

  it.each(CASES.filter(([, testCase]) => testCase.provider !== 'none'))(
    '%s: makes a delivery its verifier refuses under another secret',
    (_name, testCase) => {
      const other = testCase.secret === WHSEC ? `whsec_${randomBytes(24).toString('base64')}` : 'another-secret-9876543210';
      expect(verdict(testCase, sign(testCase), [other])).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    },
  );

  it('dates timestamped signatures with the given clock', () => {
    const stale = { provider: 'stripe' };
    expect(verdict(stale, sign(stale), [SECRET], 301)).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(sign({ provider: 'slack' }).headers['x-slack-request-timestamp']).toBe(String(NOW.getTime() / 1000));
  });

  it('writes exactly the headers of each scheme', () => {
    expect(Object.keys(sign({ provider: 'hmac' }).headers)).toEqual(['x-webhook-signature']);
    expect(sign({ provider: 'hmac' }).headers['x-webhook-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(sign({ provider: 'hmac', settings: { prefix: 'sha256=' } }).headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const github = sign({ provider: 'github' }).headers;
    expect(Object.keys(github)).toEqual(['x-hub-signature-256', 'x-github-delivery']);
    expect(github['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(github['x-github-delivery']).toBe('msg_2mYbBBxrzAX3Xf5yVgA1QO6AUVB');
    const svix = sign({ provider: 'svix', secret: WHSEC }).headers;
    expect(Object.keys(svix)).toEqual(['svix-id', 'svix-timestamp', 'svix-signature']);
    expect(svix['svix-id']).toBe('msg_2mYbBBxrzAX3Xf5yVgA1QO6AUVB');
    expect(svix['svix-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(svix['svix-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(sign({ provider: 'basic', settings: { username: 'hookflow' } }).headers).toEqual({
      authorization: `Basic ${Buffer.from(`hookflow:${SECRET}`).toString('base64')}`,
    });
    expect(sign({ provider: 'bearer' }).headers).toEqual({ authorization: `Bearer ${SECRET}` });
    expect(sign({ provider: 'bearer', settings: { header: 'X-Api-Token' } }).headers).toEqual({ 'x-api-token': SECRET });
    expect(sign({ provider: 'none' })).toEqual({ body: Buffer.from(JSON_BODY), headers: {}, url: HOOK_URL });
  });

  it('names the event type in the header of providers that carry it there', () => {
    expect(signerFor('github')!.eventTypeHeaders!('pull_request.opened')).toEqual({ 'x-github-event': 'pull_request' });
    expect(signerFor('github')!.eventTypeHeaders!('push')).toEqual({ 'x-github-event': 'push' });
    expect(signerFor('shopify')!.eventTypeHeaders!('orders/create')).toEqual({ 'x-shopify-topic': 'orders/create' });
    expect(signerFor('stripe')!.eventTypeHeaders).toBeUndefined();
  });

  it('puts the Meraki shared secret in the body, and its verifier strips it again', () => {
    const signed = sign({ provider: 'meraki' });
    expect(JSON.parse(signed.body.toString('utf8'))).toEqual({ ...JSON.parse(JSON_BODY), sharedSecret: SECRET });
    expect(verifierFor('meraki')!.normalize!(JSON.parse(signed.body.toString('utf8')))).toEqual(JSON.parse(JSON_BODY));
  });

  it('signs a Twilio JSON body through bodySHA256 in the URL, and a form through its fields', () => {
    expect(sign({ provider: 'twilio' }).url).toMatch(/^https:\/\/hooks\.example\.com\/hooks\/src\?bodySHA256=[0-9a-f]{64}$/);
    expect(sign({ provider: 'twilio' }, { url: `${HOOK_URL}?tenant=a` }).url).toMatch(/\?tenant=a&bodySHA256=[0-9a-f]{64}$/);
    expect(sign({ provider: 'twilio', body: FORM_BODY, contentType: 'application/x-www-form-urlencoded' }).url).toBe(HOOK_URL);
  });

  it.each<[string, Case, string]>([
    ['sendgrid', { provider: 'sendgrid' }, "sendgrid deliveries are signed with SendGrid's ECDSA private key, which Hookflow never has"],
    ['basic without a username', { provider: 'basic' }, 'the source sets no username to send with the password'],
    [
      'standard-webhooks with a secret that is not base64',
      { provider: 'standard-webhooks', secret: 'whsec_not base64!' },
      'the secret is not a Standard Webhooks secret: whsec_ followed by base64',
    ],
    ['meraki with a body that is not an object', { provider: 'meraki', body: '[1,2]' }, 'a Meraki body must be a JSON object'],
    ['meraki with a body that is not JSON', { provider: 'meraki', body: 'alert=1' }, 'a Meraki body must be a JSON object'],
    [
      'hmac signing {timestamp} without a timestamp header',
      { provider: 'hmac', settings: { signedContent: '{timestamp}.{body}' } },
      'the source signs {timestamp} (signedContent) but sets no timestampHeader to send it in',
    ],
    [
      'twilio with a JSON body and a publicUrl with a query',
      { provider: 'twilio', settings: { publicUrl: 'https://public.example.com/sms?x=1' } },
      "a JSON body is signed through bodySHA256 in the URL's query, but the source's publicUrl fixes the query",
    ],
  ])('refuses to sign %s, saying why', (_name, testCase, message) => {
    expect(() => sign(testCase)).toThrow(SigningError);
    expect(() => sign(testCase)).toThrow(message);
  });

  describe("accepted by the providers' own SDKs", () => {
    const now = new Date();

    it('stripe', () => {
      const signed = sign({ provider: 'stripe' }, { now });
      const event = new Stripe('sk_test_x').webhooks.constructEvent(signed.body, signed.headers['stripe-signature']!, SECRET);
      expect(event).toMatchObject({ id: 'evt_1', type: 'order.created' });
    });

    it('@octokit/webhooks-methods (GitHub)', async () => {
      const signed = sign({ provider: 'github' });
      expect(await verifyGithub(SECRET, JSON_BODY, signed.headers['x-hub-signature-256']!)).toBe(true);
      expect(await verifyGithub('another-secret', JSON_BODY, signed.headers['x-hub-signature-256']!)).toBe(false);
    });

    it('standardwebhooks', () => {
      const signed = sign({ provider: 'standard-webhooks', secret: WHSEC }, { now });
      expect(new StandardWebhook(WHSEC).verify(signed.body.toString('utf8'), signed.headers)).toEqual(JSON.parse(JSON_BODY));
    });

    it('svix', () => {
      const signed = sign({ provider: 'svix', secret: WHSEC }, { now });
      expect(new SvixWebhook(WHSEC).verify(signed.body.toString('utf8'), signed.headers)).toEqual(JSON.parse(JSON_BODY));
    });

    it('twilio, a form body', () => {
      const signed = sign({ provider: 'twilio', body: FORM_BODY, contentType: 'application/x-www-form-urlencoded' });
      const params: Record<string, string | string[]> = {};
      for (const [name, value] of new URLSearchParams(FORM_BODY)) {
        const seen = params[name];
        params[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      expect(twilio.validateRequest(SECRET, signed.headers['x-twilio-signature']!, signed.url, params)).toBe(true);
    });

    it('twilio, a JSON body', () => {
      const signed = sign({ provider: 'twilio' });
      expect(twilio.validateRequestWithBody(SECRET, signed.headers['x-twilio-signature']!, signed.url, JSON_BODY)).toBe(true);
    });
  });
});
