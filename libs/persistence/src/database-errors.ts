/** SQLSTATE classes meaning "the database cannot take this now", not "the request is wrong". */
const UNAVAILABLE_SQLSTATE_PREFIXES = ['08', '53', '57P'];
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Connection is not established/i];

/** True when an error means PostgreSQL is unreachable or refusing work (answer 503, retry later). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const withCode = error as Error & { code?: unknown; driverError?: unknown };
  if (withCode.driverError instanceof Error && withCode.driverError !== error && isDatabaseUnavailable(withCode.driverError)) return true;
  const code = typeof withCode.code === 'string' ? withCode.code : '';
  if (UNAVAILABLE_NODE_CODES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}
