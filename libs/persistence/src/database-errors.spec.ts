import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, isDataException, sqlStateOf } from './database-errors';

/** A pg error as the driver raises it: a message and a SQLSTATE `code`. */
const pgError = (code: string, message = 'refused'): Error => Object.assign(new Error(message), { code });

describe('isDataException', () => {
  it.each([
    ['22021', 'a NUL byte in text'],
    ['22P02', 'text that is not a uuid'],
    ['22003', 'an int4 out of range'],
    ['22008', 'a timestamp out of range'],
    ['22P05', 'a \\u0000 escape in jsonb'],
  ])('is true for SQLSTATE %s (%s), raw or wrapped by TypeORM', (code) => {
    expect(isDataException(pgError(code))).toBe(true);
    expect(isDataException(new QueryFailedError('SELECT $1', ['value'], pgError(code)))).toBe(true);
  });

  it('is false for other SQLSTATEs and for errors that are not PostgreSQL’s', () => {
    expect(isDataException(pgError('23505'))).toBe(false);
    expect(isDataException(pgError('42P01'))).toBe(false);
    expect(isDataException(new Error('22021'))).toBe(false);
    expect(isDataException(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isDataException(undefined)).toBe(false);
  });
});

describe('sqlStateOf', () => {
  it('reads the driver error of a TypeORM error before its own code', () => {
    expect(sqlStateOf(new QueryFailedError('SELECT 1', [], pgError('40P01')))).toBe('40P01');
    expect(sqlStateOf(pgError('ECONNRESET'))).toBeUndefined();
    expect(isDatabaseUnavailable(pgError('57P01'))).toBe(true);
  });
});
