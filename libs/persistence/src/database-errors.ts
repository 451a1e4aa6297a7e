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

/** SQLSTATE class 22, data exception: a NUL in text, a number or time out of range, text that is not a uuid or jsonb. */
const DATA_EXCEPTION = /^22[0-9A-Z]{3}$/;

/**
 * True when PostgreSQL refused a value a statement was given (SQLSTATE class 22): the request
 * carried something the database cannot take, so it is the caller's fault, not the server's.
 */
export function isDataException(error: unknown): boolean {
  const sqlState = sqlStateOf(error);
  return sqlState !== undefined && DATA_EXCEPTION.test(sqlState);
}

/** The SQLSTATE of a PostgreSQL error, raw (pg) or wrapped by TypeORM (its `driverError`); undefined for any other error. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } | null };
  const sqlState = typeof driverError?.code === 'string' ? driverError.code : code;
  return typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState) ? sqlState : undefined;
}
