/**
 * A delivery refused at the edge: the status and reason code the sender gets
 * (DESIGN.md, "Ingest answers"). Nothing is stored for it.
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
