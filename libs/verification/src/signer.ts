/**
 * One test delivery to sign: what a provider would send, before its signature. Signing is the
 * mirror of verification, used by `hookflow send` to stand in for a provider.
 */
export interface SigningRequest {
  /** The body bytes, exactly as they will be sent. */
  body: Buffer;
  /** The body's content type: Twilio signs a form field by field, anything else through its hash. */
  contentType: string;
  /** The URL as the provider posts to it, and as ingest will see it (Twilio signs it). */
  url: string;
  /** The secret, password or token to sign with: one of the source's secrets. */
  secret: string;
  /** The source's non-secret settings (header names, algorithm, username, …). */
  settings: Record<string, unknown>;
  /** The signing time, for schemes that sign a timestamp. */
  now: Date;
  /** A unique id of this delivery, for schemes that carry one (`webhook-id`, `X-GitHub-Delivery`, …). */
  deliveryId: string;
}

/** A delivery ready to post: the scheme may add headers, change the body (Meraki) or add query parameters to the URL (Twilio). */
export interface SignedDelivery {
  body: Buffer;
  headers: Record<string, string>;
  url: string;
}

/**
 * Signs deliveries the way one provider scheme does, so that its {@link Verifier} accepts them.
 * Pure: the clock and the delivery id come in the request.
 */
export interface Signer {
  readonly provider: string;
  /** Throws {@link SigningError} when the delivery cannot be signed with what is given. */
  sign(request: SigningRequest): SignedDelivery;
  /** Headers that name the event type, for providers that put it in one (GitHub, Shopify). */
  eventTypeHeaders?(eventType: string): Record<string, string>;
}

/** A delivery that cannot be signed (a missing setting, a secret of the wrong form, a scheme Hookflow cannot sign). */
export class SigningError extends Error {
  override readonly name = 'SigningError';
}
