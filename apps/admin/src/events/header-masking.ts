import { REDACTED_HEADERS } from '@hookflow/runtime';

/** What a masked header's value shows: the same marker ingest stores for credential headers. */
export const MASKED_VALUE = '[redacted]';

/** Credentials and the signature headers of every built-in scheme. */
const ALWAYS_MASKED: ReadonlySet<string> = new Set([...REDACTED_HEADERS, 'proxy-authorization']);

/**
 * An event's headers as operators may see them: signatures, tokens and credentials masked. The
 * well-known names are always masked, and so is the header a source's settings name for its
 * signature or token (`header` of an `hmac` or `bearer` source).
 */
export function maskHeaders(headers: Record<string, string>, sourceSettings: Record<string, unknown> | undefined): Record<string, string> {
  const configured = sourceSettings?.header;
  const masked = typeof configured === 'string' ? new Set([...ALWAYS_MASKED, configured.toLowerCase()]) : ALWAYS_MASKED;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, masked.has(name.toLowerCase()) ? MASKED_VALUE : value]));
}
