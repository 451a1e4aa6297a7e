import { sign as signGithub } from '@octokit/webhooks-methods';
import { DeliveryRequest, verifierFor } from '@hookflow/verification';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { bodyForms, MAX_HINT_BODY_BYTES, reserialisationHint } from './reserialisation-hint';

const SECRET = 'hint-secret';
const WHSEC = `whsec_${Buffer.from('a 32-byte secret for hint tests!').toString('base64')}`;
const RECEIVED_AT = new Date('2026-12-07T05:00:00Z');
const PAYLOAD = { id: 'evt_1', type: 'invoice.paid', data: { amount: 1200, note: 'Zoë / “quoted”' } };
const COMPACT = JSON.stringify(PAYLOAD);

/** Re-runs a provider's verifier on other bytes, as intake does for a refused delivery. */
function reverifier(provider: string, headers: Record<string, string>, secrets = [SECRET]) {
  const verifier = verifierFor(provider)!;
  const request: DeliveryRequest = { rawBody: Buffer.alloc(0), headers, url: '/hooks/x', receivedAt: RECEIVED_AT };
  return (rawBody: Buffer) => verifier.verify({ ...request, rawBody }, { id: 'x', provider, secrets, settings: {} });
}

describe('reserialisationHint', () => {
  it('finds that a GitHub sender signed the payload indented by 2 spaces but sent it compact', async () => {
    const signature = await signGithub({ secret: SECRET, algorithm: 'sha256' }, JSON.stringify(PAYLOAD, null, 2));
    const hint = reserialisationHint(Buffer.from(COMPACT), reverifier('github', { 'x-hub-signature-256': signature }));

    expect(hint).toEqual({
      signedForm: 'JSON indented by 2 spaces',
      hint: expect.stringContaining('sign the raw bytes exactly as sent') as unknown,
    });
  });

  it('finds the reverse: a Stripe sender signed compact JSON and a proxy pretty-printed it by 4 spaces', () => {
    const timestamp = Math.floor(RECEIVED_AT.getTime() / 1000);
    const header = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: COMPACT, secret: SECRET, timestamp });
    const hint = reserialisationHint(Buffer.from(JSON.stringify(PAYLOAD, null, 4)), reverifier('stripe', { 'stripe-signature': header }));

    expect(hint?.signedForm).toBe('compact JSON');
  });

  it("finds Python's json.dumps, which spaces separators and escapes non-ASCII", () => {
    const python = '{"id": "evt_1", "type": "invoice.paid", "data": {"amount": 1200, "note": "Zo\\u00eb / \\u201cquoted\\u201d"}}';
    const at = new Date(RECEIVED_AT.getTime() - 5_000);
    const signature = new Webhook(WHSEC).sign('msg_1', at, python);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(at.getTime() / 1000), 'webhook-signature': signature };

    const hint = reserialisationHint(Buffer.from(COMPACT), reverifier('standard-webhooks', headers, [WHSEC]));
    expect(hint?.signedForm).toBe("JSON with ', ' and ': ' separators and non-ASCII escaped (Python's json.dumps)");
  });

  it('finds a trailing newline added on the way, on a body that is not JSON', async () => {
    const form = 'a=1&b=2';
    const signature = await signGithub({ secret: SECRET, algorithm: 'sha256' }, form);
    const hint = reserialisationHint(Buffer.from(`${form}\n`), reverifier('github', { 'x-hub-signature-256': signature }));

    expect(hint?.signedForm).toBe('the body without its trailing newline');
  });

  it('counts a matching signature on a stale Stripe delivery as a match', () => {
    const timestamp = Math.floor(RECEIVED_AT.getTime() / 1000) - 3_600;
    const payload = JSON.stringify(PAYLOAD, null, 2);
    const header = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp });

    expect(reserialisationHint(Buffer.from(COMPACT), reverifier('stripe', { 'stripe-signature': header }))?.signedForm).toBe(
      'JSON indented by 2 spaces',
    );
  });

  it('gives no hint when the signature matches no form (a wrong secret)', async () => {
    const signature = await signGithub({ secret: 'another secret', algorithm: 'sha256' }, JSON.stringify(PAYLOAD, null, 2));
    expect(reserialisationHint(Buffer.from(COMPACT), reverifier('github', { 'x-hub-signature-256': signature }))).toBeUndefined();
  });

  it('does not try bodies that are empty or over the bound', () => {
    let tried = 0;
    const counting = () => {
      tried += 1;
      return { ok: true as const };
    };
    const large = JSON.stringify({ padding: 'x'.repeat(MAX_HINT_BODY_BYTES) });

    expect(reserialisationHint(Buffer.alloc(0), counting)).toBeUndefined();
    expect(reserialisationHint(Buffer.from(large), counting)).toBeUndefined();
    expect(tried).toBe(0);
  });

  it('survives JSON nested too deep to re-serialise', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const hint = reserialisationHint(Buffer.from(deep), () => ({ ok: false, reason: 'signature_mismatch', detail: 'no' }));
    expect(hint).toBeUndefined();
  });
});

describe('bodyForms', () => {
  it('tries a bounded number of forms, never the body as received and never one twice', () => {
    const forms = bodyForms(COMPACT);
    const texts = forms.map((form) => form.text);

    expect(texts).not.toContain(COMPACT);
    expect(new Set(texts).size).toBe(texts.length);
    expect(forms.length).toBeLessThanOrEqual(18);
    expect(texts).toContain(JSON.stringify(PAYLOAD, null, 2));
    expect(texts).toContain(`${COMPACT}\n`);
  });
});
