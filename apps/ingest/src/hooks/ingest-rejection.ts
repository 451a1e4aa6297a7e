/**
 * A delivery refused at the edge: the status and reason code the sender gets
 * (DESIGN.md, "Ingest answers"). Nothing is stored for it but a row of the capped rejection log
 * (see RejectionLog), which never holds the body, the headers or a credential.
 */
export class IngestRejection extends Error {
  override readonly name = 'IngestRejection';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
