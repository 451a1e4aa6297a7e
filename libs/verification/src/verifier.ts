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

export type DeliveryVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: RejectionReason;
      /** Safe to show the sender: never a secret or a whole signature. */
      detail: string;
    };

/** One provider scheme. Never throws, whatever the input; compares in constant time. */
export interface Verifier {
  readonly provider: string;
  verify(request: DeliveryRequest, source: VerifiableSource): DeliveryVerdict;
}

export const ACCEPTED: DeliveryVerdict = { ok: true };

export function rejected(reason: RejectionReason, detail: string): DeliveryVerdict {
  return { ok: false, reason, detail };
}
