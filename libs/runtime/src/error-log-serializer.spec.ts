import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { serializeErrorForLog } from './error-log-serializer';

const SETTING = 'settings-value-9c1e4f';
const FILTER = 'payload-filter-value-2b7d';

/** A failed statement as TypeORM raises it: the pg error (with its detail) wrapped with the SQL and its parameters. */
function failedStatement(): QueryFailedError {
  const driverError = Object.assign(new Error('new row for relation "sources" violates check constraint "no_marker"'), {
    code: '23514',
    detail: `Failing row contains (billing, hmac, {"eventType": "${SETTING}"}).`,
    table: 'sources',
    constraint: 'no_marker',
    where: `SQL function with ${FILTER}`,
    internalQuery: `SELECT '${FILTER}'`,
  });
  return new QueryFailedError(
    'INSERT INTO sources (id, settings) VALUES ($1, $2)',
    ['billing', { eventType: SETTING, filter: FILTER }],
    driverError,
  );
}

/** What a pino logger configured as LoggingModule configures it writes for `{ err }`. */
function logLine(err: unknown): string {
  const lines: string[] = [];
  const serializer = pino.stdSerializers.wrapErrorSerializer((serialized) => serializeErrorForLog(serialized) as Record<string, unknown>);
  const logger = pino({ serializers: { err: serializer } }, { write: (line: string) => lines.push(line) });
  logger.error({ err }, 'failed');
  return lines.join('');
}

describe('serializeErrorForLog', () => {
  it('logs a failed statement without its query, parameters or the row values of the pg error', () => {
    const line = logLine(failedStatement());

    expect(line).not.toContain(SETTING);
    expect(line).not.toContain(FILTER);
    expect(line).not.toContain('INSERT INTO');
    const { err } = JSON.parse(line) as { err: Record<string, unknown> };
    expect(err).toMatchObject({
      type: 'QueryFailedError',
      message: 'new row for relation "sources" violates check constraint "no_marker"',
      code: '23514',
      table: 'sources',
      constraint: 'no_marker',
      driverError: { code: '23514', constraint: 'no_marker' },
    });
    expect(err.stack).toEqual(expect.stringContaining('QueryFailedError'));
  });

  it('strips the fields from errors kept as causes and from raw errors given without pino', () => {
    const wrapper = Object.assign(new Error('the bulk replay stopped'), { failure: failedStatement() });
    expect(logLine(wrapper)).not.toContain(SETTING);

    const raw = serializeErrorForLog(failedStatement()) as Record<string, unknown>;
    expect(JSON.stringify(raw)).not.toContain(FILTER);
    expect(raw).toMatchObject({ type: 'QueryFailedError', code: '23514' });
  });

  it('leaves values that are not errors as they are', () => {
    expect(serializeErrorForLog('a message')).toBe('a message');
    expect(serializeErrorForLog(undefined)).toBeUndefined();
  });
});
