/** SQLSTATE classes meaning "the database cannot take this now", not "the request is wrong". */
const UNAVAILABLE_SQLSTATE_PREFIXES = ['08', '53', '57P'];
/** Deadlock, serialization failure, statement timeout: the same request can succeed a moment later. */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001', '57014']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection is not established/i,
];

/** True when an error means PostgreSQL is unreachable or refusing work (answer 503, retry later). */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed on purpose: socket errors may come from another realm, where instanceof fails.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, driverError } = error as { code?: unknown; message?: unknown; driverError?: unknown };
  if (driverError !== undefined && driverError !== error && isDatabaseUnavailable(driverError)) return true;
  const text = typeof code === 'string' ? code : '';
  if (UNAVAILABLE_NODE_CODES.has(text) || TRANSIENT_SQLSTATES.has(text)) return true;
  if (/^[0-9A-Z]{5}$/.test(text) && UNAVAILABLE_SQLSTATE_PREFIXES.some((prefix) => text.startsWith(prefix))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}
