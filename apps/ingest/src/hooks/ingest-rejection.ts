/**
 * A delivery refused at the edge: the status and reason code the sender gets
 * (DESIGN.md, "Ingest answers"). Nothing is stored for it but a row of the capped rejection log
 * (see RejectionLog), which never holds the body, the headers or a credential.
 */
export class IngestRejection extends Error {
  override readonly name = 'IngestRejection';
  /** Response headers (Retry-After). */
  readonly headers: Record<string, string>;
  /** What the sender is told beyond the message (a schema's errors, say): goes into the answer's `details`. */
  readonly details: unknown[] | undefined;
  /** What the rejection log keeps to explain the refusal to an operator; never sent to the sender. */
  readonly diagnostics: Record<string, unknown> | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { headers?: Record<string, string>; details?: unknown[]; diagnostics?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.headers = options.headers ?? {};
    this.details = options.details;
    this.diagnostics = options.diagnostics;
  }
}
