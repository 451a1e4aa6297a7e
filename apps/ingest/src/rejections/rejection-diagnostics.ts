import { createHash } from 'node:crypto';
import { DeliveryVerdict, RejectedVerdict } from '@hookflow/verification';
import { ReserialisationHint, reserialisationHint } from './reserialisation-hint';

/** Longest content-type kept: the sender chooses it, and the log must stay small. */
const MAX_CONTENT_TYPE_LENGTH = 200;
/**
 * Signature mismatches per second, per process, that get a re-serialisation hint: each costs up to
 * sixteen re-serialisations and checks of the body, and a flood of bad signatures must cost little
 * more than verifying them. Past it, a mismatch is logged without the hint.
 */
export const HINTS_PER_SECOND = 5;

/**
 * What the rejection log keeps to explain a refused delivery to an operator (DESIGN.md,
 * "Rejections explain themselves"). Never the body, a secret or any part of a signature: the
 * body's SHA-256 lets the sender compare with what it sent without the log holding the content.
 */
export type RejectionDiagnostics = {
  /** The source's provider, i.e. the verifier that checked the delivery. */
  provider: string;
  /** The header the signature or credential was read from, or expected in. */
  signatureHeader?: string;
  timestampHeader?: string;
  /** The body's length and SHA-256 (hex) as received, before any parsing. */
  bodyBytes: number;
  /** Absent when the body carries the source's secret (Meraki): a hash of it could be used to guess a weak secret. */
  bodySha256?: string;
  contentType: string | null;
  /** Time received minus the signed timestamp, in seconds (positive: in the past), and the tolerance. */
  timestampSkewSeconds?: number;
  toleranceSeconds?: number;
  /** Set when the signature matches a re-serialised form of the body rather than the bytes received. */
  reserialisation?: ReserialisationHint;
};

export interface RefusedDelivery {
  provider: string;
  rawBody: Buffer;
  contentType: string | undefined;
  /** The body itself carries the source's secret (Meraki): neither hashed nor re-verified. */
  bodyCarriesSecret?: boolean;
  /** The verifier's verdict, when the delivery was refused by it. */
  verdict?: RejectedVerdict;
  /** Runs the source's verifier again on other bytes, same headers, secrets and clock: for the re-serialisation hint. */
  reverify?: (rawBody: Buffer) => DeliveryVerdict;
}

/** At most `perSecond` takes in any second (a fixed one-second window: cheap, and exact enough for a cost bound). */
export class PerSecondBudget {
  private second = 0;
  private taken = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.taken = 0;
    }
    if (this.taken >= this.perSecond) return false;
    this.taken += 1;
    return true;
  }
}

/** Shared by every delivery this process refuses. */
const hintBudget = new PerSecondBudget(HINTS_PER_SECOND);

/** The diagnostics of a delivery refused by a source; runs on refusals only, and its cost is bounded (see reserialisationHint). */
export function rejectionDiagnostics(refused: RefusedDelivery): RejectionDiagnostics {
  const { verdict, reverify } = refused;
  // Field by field, so nothing a verifier might add to its evidence later reaches the log unseen.
  // Absent fields stay undefined: JSON, as stored, leaves them out.
  const { signatureHeader, timestampHeader, timestampSkewSeconds, toleranceSeconds } = verdict?.evidence ?? {};
  const diagnostics: RejectionDiagnostics = {
    provider: refused.provider,
    signatureHeader,
    timestampHeader,
    bodyBytes: refused.rawBody.length,
    bodySha256: refused.bodyCarriesSecret ? undefined : createHash('sha256').update(refused.rawBody).digest('hex'),
    contentType: refused.contentType?.slice(0, MAX_CONTENT_TYPE_LENGTH) ?? null,
    timestampSkewSeconds,
    toleranceSeconds,
  };
  // Only a mismatch can be explained by other bytes: a missing or malformed signature cannot.
  if (verdict?.reason === 'signature_mismatch' && reverify && !refused.bodyCarriesSecret && hintBudget.take()) {
    const hint = reserialisationHint(refused.rawBody, reverify);
    if (hint) diagnostics.reserialisation = hint;
  }
  return diagnostics;
}
