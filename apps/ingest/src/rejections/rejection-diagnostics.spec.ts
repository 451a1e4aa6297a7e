import { sign as signGithub } from '@octokit/webhooks-methods';
import { createHash } from 'node:crypto';
import { DeliveryRequest, RejectedVerdict, verifierFor } from '@hookflow/verification';
import Stripe from 'stripe';
import { PerSecondBudget, rejectionDiagnostics } from './rejection-diagnostics';

const SECRET = 'diagnostics-secret-3f9a';
const RECEIVED_AT = new Date('2026-12-07T05:00:00Z');
const BODY = JSON.stringify({ id: 'evt_7', type: 'charge.succeeded' });

function refusedBy(provider: string, headers: Record<string, string>, body = BODY) {
  const verifier = verifierFor(provider)!;
  const source = { id: provider, provider, secrets: [SECRET], settings: {} };
  const request: DeliveryRequest = { rawBody: Buffer.from(body), headers, url: `/hooks/${provider}`, receivedAt: RECEIVED_AT };
  const verdict = verifier.verify(request, source) as RejectedVerdict;
  return {
    provider,
    rawBody: request.rawBody,
    contentType: headers['content-type'],
    verdict,
    reverify: (rawBody: Buffer) => verifier.verify({ ...request, rawBody }, source),
  };
}

describe('rejectionDiagnostics', () => {
  it('says which verifier and header refused a GitHub delivery, with the body as received and the hint', async () => {
    const signature = await signGithub({ secret: SECRET, algorithm: 'sha256' }, JSON.stringify(JSON.parse(BODY), null, 2));
    const diagnostics = rejectionDiagnostics(refusedBy('github', { 'content-type': 'application/json', 'x-hub-signature-256': signature }));

    expect(diagnostics).toEqual({
      provider: 'github',
      signatureHeader: 'x-hub-signature-256',
      bodyBytes: Buffer.byteLength(BODY),
      bodySha256: createHash('sha256').update(BODY).digest('hex'),
      contentType: 'application/json',
      reserialisation: { signedForm: 'JSON indented by 2 spaces', hint: expect.any(String) as unknown },
    });
    const stored = JSON.stringify(diagnostics);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(signature.slice(7, 23));
  });

  it('records the skew and tolerance of a stale Stripe delivery, and no hint', () => {
    const timestamp = Math.floor(RECEIVED_AT.getTime() / 1000) - 900;
    const header = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: BODY, secret: SECRET, timestamp });
    const diagnostics = rejectionDiagnostics(refusedBy('stripe', { 'stripe-signature': header }));

    expect(diagnostics).toMatchObject({
      provider: 'stripe',
      signatureHeader: 'stripe-signature',
      timestampSkewSeconds: 900,
      toleranceSeconds: 300,
    });
    expect(diagnostics.contentType).toBeNull();
    expect(diagnostics.reserialisation).toBeUndefined();
  });

  it('looks for no hint when the signature is missing', () => {
    let tried = 0;
    const refused = refusedBy('github', {});
    const diagnostics = rejectionDiagnostics({
      ...refused,
      reverify: (rawBody) => {
        tried += 1;
        return refused.reverify(rawBody);
      },
    });

    expect(diagnostics).toMatchObject({ provider: 'github', signatureHeader: 'x-hub-signature-256' });
    expect(tried).toBe(0);
  });

  it('describes a delivery refused before verification (address not allowed) by its body alone', () => {
    expect(rejectionDiagnostics({ provider: 'hmac', rawBody: Buffer.from(''), contentType: `text/plain; ${'x'.repeat(500)}` })).toEqual({
      provider: 'hmac',
      bodyBytes: 0,
      bodySha256: createHash('sha256').update('').digest('hex'),
      contentType: `text/plain; ${'x'.repeat(188)}`,
    });
  });

  it('neither hashes nor re-verifies a body that carries the source secret (Meraki)', () => {
    let tried = 0;
    const body = JSON.stringify({ version: '2.0', sharedSecret: 'a-weak-secret', alertType: 'Settings changed' });
    const diagnostics = rejectionDiagnostics({
      provider: 'meraki',
      rawBody: Buffer.from(body),
      contentType: 'application/json',
      bodyCarriesSecret: true,
      verdict: { ok: false, reason: 'signature_mismatch', detail: 'sharedSecret does not match' },
      reverify: () => {
        tried += 1;
        return { ok: true };
      },
    });

    expect(diagnostics).toEqual({ provider: 'meraki', bodyBytes: Buffer.byteLength(body), contentType: 'application/json' });
    expect(JSON.stringify(diagnostics)).not.toContain(createHash('sha256').update(body).digest('hex'));
    expect(tried).toBe(0);
  });
});

describe('PerSecondBudget', () => {
  it('gives at most its number of takes in one second, and as many again in the next', () => {
    let now = 10_000;
    const budget = new PerSecondBudget(3, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now += 999;
    expect(budget.take()).toBe(false);
    now += 1;
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
  });
});
