import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toStructuralSchema } from './structural.js';

describe('toStructuralSchema', () => {
  it('types integer literal unions as integer and drops safe-integer bounds', () => {
    const schema = toStructuralSchema(z.object({ a: z.literal([0, 5]), b: z.int(), c: z.int().min(-3).max(9) }));
    expect(schema.properties).toEqual({
      a: { type: 'integer', enum: [0, 5] },
      b: { type: 'integer' },
      c: { type: 'integer', minimum: -3, maximum: 9 },
    });
  });

  it('keeps the date-time format and drops the regex zod adds to it', () => {
    const schema = toStructuralSchema(z.object({ t: z.iso.datetime() }));
    expect(schema.properties).toEqual({ t: { type: 'string', format: 'date-time' } });
  });

  it('makes fields with defaults optional and declares the default', () => {
    const schema = toStructuralSchema(z.object({ n: z.int().default(3), s: z.string() }));
    expect(schema).toEqual({
      type: 'object',
      properties: { n: { type: 'integer', default: 3 }, s: { type: 'string' } },
      required: ['s'],
    });
  });

  it('declares a block default with its inner defaults filled in, as zod parses it', () => {
    const schema = toStructuralSchema(z.object({ b: z.object({ n: z.int().default(3), s: z.string().optional() }).prefault({}) }));
    expect(schema.properties).toEqual({
      b: { type: 'object', default: { n: 3 }, properties: { n: { type: 'integer', default: 3 }, s: { type: 'string' } } },
    });
  });

  it('turns a record into additionalProperties and drops additionalProperties: false', () => {
    expect(toStructuralSchema(z.record(z.string(), z.string()))).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(toStructuralSchema(z.strictObject({ a: z.string() }))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
    });
  });

  it('lists description and type first', () => {
    const schema = toStructuralSchema(z.int().min(1).default(2).describe('d'));
    expect(Object.keys(schema)).toEqual(['description', 'type', 'default', 'minimum']);
  });

  it.each([
    ['a union', z.object({ u: z.union([z.string(), z.int()]) }), /at u: keyword anyOf/],
    ['an untyped node', z.object({ x: z.unknown() }), /at x: every node needs a type/],
    ['a nullable field', z.object({ n: z.string().nullable() }), /at n: keyword nullable/],
    ['a tuple', z.object({ t: z.tuple([z.string(), z.int()]) }), /at t\[\]: keyword anyOf/],
  ])('rejects %s, naming the node', (_name, schema, error) => {
    expect(() => toStructuralSchema(schema)).toThrow(error);
  });

  it('writes a single literal as a one-value enum, not const', () => {
    expect(toStructuralSchema(z.literal('postgres'))).toEqual({ type: 'string', enum: ['postgres'] });
  });
});
