import { describe, expect, it } from 'vitest';
import { buildDelete, buildInsert, buildSelect, buildUpdate, quoteIdentifier, quoteTable } from './sql.js';

/** Each name and the identifier it quotes to: double quotes doubled, nothing else touched. */
const QUOTED: Readonly<Record<string, string>> = {
  orders: '"orders"',
  'Order Items': '"Order Items"',
  'a"b': '"a""b"',
  'x"; DROP TABLE users; --': '"x""; DROP TABLE users; --"',
  ünïcode: '"ünïcode"',
};

describe('quoteIdentifier / quoteTable', () => {
  it.each(Object.entries(QUOTED))('%s -> %s', (name, quoted) => {
    expect(quoteIdentifier(name)).toBe(quoted);
  });

  it.each([[''], ['a\0b'], ['x'.repeat(64)], ['é'.repeat(32)]])('rejects %j', (name) => {
    expect(() => quoteIdentifier(name)).toThrow(TypeError);
  });

  it('accepts exactly 63 bytes', () => {
    expect(quoteIdentifier('x'.repeat(63))).toHaveLength(65);
  });

  it('qualifies a schema only when asked, and refuses a dotted string', () => {
    expect(quoteTable({ schema: 'billing', table: 'orders' })).toBe('"billing"."orders"');
    expect(() => quoteTable('public.orders')).toThrow(/schema, table/);
  });
});

describe('statement builders', () => {
  it('insert binds every value and skips undefined ones', () => {
    expect(buildInsert('orders', { total: 5, note: "it's", paid: undefined, meta: { a: 1 } })).toEqual({
      text: 'INSERT INTO "orders" ("total", "note", "meta") VALUES ($1, $2, $3) RETURNING *',
      values: [5, "it's", { a: 1 }],
    });
    expect(buildInsert('orders', {})).toEqual({ text: 'INSERT INTO "orders" DEFAULT VALUES RETURNING *', values: [] });
  });

  it('quotes hostile column names rather than splicing them', () => {
    const { text } = buildInsert('t', { 'a) VALUES (1); DROP TABLE t; --': 1 });
    expect(text).toBe('INSERT INTO "t" ("a) VALUES (1); DROP TABLE t; --") VALUES ($1) RETURNING *');
  });

  it('update puts the id first and refuses an empty change', () => {
    expect(buildUpdate('orders', 'id', 7, { status: 'paid', note: null })).toEqual({
      text: 'UPDATE "orders" SET "status" = $2, "note" = $3 WHERE "id" = $1 RETURNING *',
      values: [7, 'paid', null],
    });
    expect(() => buildUpdate('orders', 'id', 7, { status: undefined })).toThrow(/at least one column/);
  });

  it('delete by id', () => {
    expect(buildDelete({ schema: 's', table: 't' }, 'uuid', 'a-b')).toEqual({ text: 'DELETE FROM "s"."t" WHERE "uuid" = $1 RETURNING *', values: ['a-b'] });
  });

  it('select with conditions, NULL matching, stable paging and parameterised limit/offset', () => {
    expect(buildSelect('orders', 'id', { status: 'open', closed_at: null }, { limit: 10, offset: 20 })).toEqual({
      text: 'SELECT * FROM "orders" WHERE "status" = $1 AND "closed_at" IS NULL ORDER BY "id" ASC LIMIT $2 OFFSET $3',
      values: ['open', 10, 20],
    });
    expect(buildSelect('orders', 'id', undefined, {})).toEqual({ text: 'SELECT * FROM "orders"', values: [] });
    expect(buildSelect('orders', 'id', undefined, { orderBy: [{ column: 'created_at', direction: 'desc' }, 'id'] }).text).toBe(
      'SELECT * FROM "orders" ORDER BY "created_at" DESC, "id" ASC',
    );
  });

  it.each([
    ['a negative limit', { limit: -1 }, RangeError],
    ['a fractional limit', { limit: 1.5 }, RangeError],
    ['a string limit', { limit: '10; DROP TABLE x' as unknown as number }, RangeError],
    ['NaN offset', { offset: NaN }, RangeError],
    ['Infinity offset', { offset: Infinity }, RangeError],
    ['a limit over the maximum', { limit: 1001 }, RangeError],
    ['a bad direction', { orderBy: { column: 'id', direction: 'sideways' as 'asc' } }, TypeError],
  ])('rejects %s', (_name, options, error) => {
    expect(() => buildSelect('orders', 'id', undefined, options, 1000)).toThrow(error);
  });

  it('refuses conditions that would silently widen the query', () => {
    expect(() => buildSelect('orders', 'id', {}, {})).toThrow(/findAll/);
    expect(() => buildSelect('orders', 'id', { status: undefined }, {})).toThrow(/undefined/);
  });
});
