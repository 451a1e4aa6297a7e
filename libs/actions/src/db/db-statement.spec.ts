import { buildDbStatement, InvalidDbWrite } from './db-statement';
import { classifyDbError } from './db.step';

describe('buildDbStatement', () => {
  it('inserts one row with quoted identifiers and every value as a parameter', () => {
    expect(
      buildDbStatement({ table: 'analytics.orders', mode: 'insert', key: [], values: { order_id: 'ord_1', note: "'; DROP TABLE x; --" } }),
    ).toEqual({
      text: 'INSERT INTO "analytics"."orders" ("order_id", "note") VALUES ($1, $2)',
      values: ['ord_1', "'; DROP TABLE x; --"],
    });
  });

  it('upserts on the key, updating every other column from EXCLUDED', () => {
    expect(
      buildDbStatement({ table: 'orders', mode: 'upsert', key: ['order_id'], values: { order_id: 'o', total: 5, status: 'paid' } }).text,
    ).toBe(
      'INSERT INTO "orders" ("order_id", "total", "status") VALUES ($1, $2, $3) ' +
        'ON CONFLICT ("order_id") DO UPDATE SET "total" = EXCLUDED."total", "status" = EXCLUDED."status"',
    );
  });

  it('does nothing on conflict when every column is part of the key', () => {
    expect(buildDbStatement({ table: 'seen', mode: 'upsert', key: ['a', 'b'], values: { a: 1, b: 2 } }).text).toBe(
      'INSERT INTO "seen" ("a", "b") VALUES ($1, $2) ON CONFLICT ("a", "b") DO NOTHING',
    );
  });

  it('keeps scalars typed and passes objects and arrays as JSON text', () => {
    expect(
      buildDbStatement({
        table: 't',
        mode: 'insert',
        key: [],
        values: { n: 12.5, b: true, z: null, o: { a: [1] }, l: ['x'], u: undefined },
      }).values,
    ).toEqual([12.5, true, null, '{"a":[1]}', '["x"]', null]);
  });

  it.each([
    ['a table with SQL in it', { table: 'orders"; DROP TABLE x; --', values: { a: 1 } }],
    ['three-part table names', { table: 'a.b.c', values: { a: 1 } }],
    ['a column with a space', { table: 't', values: { 'a b': 1 } }],
    ['a column longer than 63 characters', { table: 't', values: { [`c${'x'.repeat(63)}`]: 1 } }],
    ['no values', { table: 't', values: {} }],
  ])('refuses %s', (_, write) => {
    expect(() => buildDbStatement({ mode: 'insert', key: [], ...write })).toThrow(InvalidDbWrite);
  });

  it('refuses an upsert without a key, or on a key column with no value', () => {
    expect(() => buildDbStatement({ table: 't', mode: 'upsert', key: [], values: { a: 1 } })).toThrow('upsert needs a key');
    expect(() => buildDbStatement({ table: 't', mode: 'upsert', key: ['id'], values: { a: 1 } })).toThrow('key column "id" has no value');
  });
});

describe('classifyDbError', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true, 'network'],
    ['a connection timeout', new Error('timeout exceeded when trying to connect'), true, 'network'],
    ['a serialization failure', { code: '40001' }, true, 'network'],
    ['a deadlock', { code: '40P01' }, true, 'network'],
    ['a statement timeout', { code: '57014' }, true, 'network'],
    ['an undefined table', { code: '42P01' }, false, 'config'],
    ['an undefined column', { code: '42703' }, false, 'config'],
    ['a permission error', { code: '42501' }, false, 'config'],
    ['a unique violation', { code: '23505' }, false, 'destination_4xx'],
    ['an invalid number', { code: '22P02' }, false, 'destination_4xx'],
  ])('classifies %s', (_, error, retryable, cause) => {
    expect(classifyDbError(error)).toEqual({ retryable, cause });
  });
});
