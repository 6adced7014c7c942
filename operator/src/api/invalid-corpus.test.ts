// The zod half of the admission corpus: the same cases go to the real API server in
// test/integration/crd-admission.int.test.ts, which also checks that both verdicts agree.
import { describe, expect, it } from 'vitest';
import { loadBase, loadInvalidCorpus, mergePatch, zodErrors } from '../../../test/fixtures/invalid-rsdb/corpus.js';
import { parseReplicaSetDB } from './replicasetdb.js';

const corpus = loadInvalidCorpus();

describe('the invalid corpus', () => {
  it('has at least 25 cases, each with a distinct defect', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    expect(new Set(corpus.map((c) => c.defect)).size).toBe(corpus.length);
    expect(corpus.filter((c) => c.kind === 'update').length).toBeGreaterThanOrEqual(5);
  });

  it('starts from a valid object', () => {
    expect(parseReplicaSetDB(loadBase())).toMatchObject({ ok: true });
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s is rejected, naming its field', (_name, c) => {
    const errors = zodErrors(c);
    expect(errors.map((e) => e.path)).toContain(c.field);
    // One defect: no error about any other field.
    expect(new Set(errors.map((e) => e.path))).toEqual(new Set([c.field]));
  });

  it.each(corpus.filter((c) => c.kind === 'update').map((c) => [c.name, c] as const))('%s: both sides of the update are valid on their own', (_name, c) => {
    if (c.kind !== 'update') throw new Error('filtered to updates');
    expect(parseReplicaSetDB(c.base).ok).toBe(true);
    expect(parseReplicaSetDB(c.update).ok).toBe(true);
  });
});

describe('mergePatch', () => {
  it('merges objects, deletes on null, replaces the rest', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: [1], e: 'x' }, { a: { b: null, f: 3 }, d: [2], e: { g: null, h: 1 } })).toEqual({
      a: { c: 2, f: 3 },
      d: [2],
      e: { h: 1 },
    });
  });
});
