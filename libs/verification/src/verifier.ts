/** What a verifier sees of a delivery: the bytes as received, before any parsing. */
export interface DeliveryRequest {
  rawBody: Buffer;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The request URL as the provider saw it. */
  url: string;
  receivedAt: Date;
}

/** A source's verification settings, secrets decrypted. */
export interface VerifiableSource {
  id: string;
  provider: string;
  secrets: readonly string[];
  settings: Record<string, unknown>;
}

export type RejectionReason =
  'missing_signature' | 'malformed_signature' | 'signature_mismatch' | 'timestamp_out_of_tolerance' | 'ip_not_allowed';

/**
 * What a verifier knew when it refused a delivery, for the rejection log (DESIGN.md, "Rejections
 * explain themselves"): where it looked and how far the clocks were apart. Never a secret or any
 * part of a signature.
 */
export interface VerdictEvidence {
  /** The header the signature or credential was read from, or expected in when missing (lower-cased). */
  signatureHeader?: string;
  /** The header the signed timestamp was read from, or expected in, for timestamped schemes. */
  timestampHeader?: string;
  /** Time received minus the signed timestamp, in whole seconds: positive when the timestamp is in the past. */
  timestampSkewSeconds?: number;
  /** The tolerance the skew is checked against, in seconds. */
  toleranceSeconds?: number;
}

export interface RejectedVerdict {
  ok: false;
  reason: RejectionReason;
  /** Safe to show the sender: never a secret or a whole signature. */
  detail: string;
  /** Safe to show an operator; absent where the verifier has nothing to add. */
  evidence?: VerdictEvidence;
}

export type DeliveryVerdict = { ok: true } | RejectedVerdict;

/** An answer a provider's handshake expects instead of an event being stored (Slack url_verification). */
export interface HandshakeAnswer {
  status: number;
  body: unknown;
}

/**
 * One provider scheme: verification plus the provider's payload conventions. `verify` is pure
 * (the clock is `request.receivedAt`), never throws whatever the input, and compares in constant
 * time. The optional hooks run after verification, on the parsed payload.
 */
/** The `eventType` JSONata used when neither the source nor its verifier's `defaults` set one. */
export const DEFAULT_EVENT_TYPE = 'payload.type';

export interface Verifier {
  readonly provider: string;
  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict;
  /** JSONata used when the source sets no `eventType` / `idempotencyKey` (same context as rules). */
  readonly defaults?: { eventType?: string; idempotencyKey?: string };
  /** Provider conventions on the parsed payload: unwrap `payload=` JSON, strip a shared secret, … */
  normalize?(payload: unknown): unknown;
  /** One delivery carrying several events (SendGrid posts arrays): each element becomes an event. */
  split?(payload: unknown): unknown[];
  /** A handshake to answer directly, without storing an event. */
  handshake?(payload: unknown): HandshakeAnswer | undefined;
  /**
   * True when the raw body itself carries the secret (Meraki): the normalised payload is stored
   * in its place, so no secret is kept at rest.
   */
  readonly rawBodyCarriesSecret?: boolean;
}

export const ACCEPTED: DeliveryVerdict = { ok: true };

export function rejected(reason: RejectionReason, detail: string, evidence?: VerdictEvidence): RejectedVerdict {
  return evidence === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, evidence };
}
