import { describe, expect, it } from 'vitest';
import { parseTopology, type Topology } from '@servio/replicasetdb-contract';
import { renderTopologyContent, type TopologyContent } from './document.js';
import { sameContent, stampRevision } from './revision.js';
import { aReplica, aTopologySource } from './testing/fixtures.js';

const T0 = new Date('2026-11-26T16:00:00.000Z');
const T1 = new Date('2026-11-26T16:05:00.000Z');

function content(replicas = [aReplica(1), aReplica(2)]): TopologyContent {
  return renderTopologyContent(aTopologySource({ replicas }))!;
}

function published(c: TopologyContent, revision: number, updatedAt = T0.toISOString()): Topology {
  return parseTopology({ ...c, revision, updatedAt });
}

describe('stampRevision', () => {
  it('starts at revision 1 when nothing was published', () => {
    expect(stampRevision(content(), { document: undefined, statusRevision: undefined }, T0)).toEqual({
      document: { ...content(), revision: 1, updatedAt: T0.toISOString() },
      changed: true,
    });
  });

  it('keeps revision and updatedAt when the content is the same (a resync)', () => {
    const stamped = stampRevision(content(), { document: published(content(), 4), statusRevision: 4 }, T1);
    expect(stamped).toEqual({ document: { ...content(), revision: 4, updatedAt: T0.toISOString() }, changed: false });
  });

  it('grows by exactly one on a change of content and moves updatedAt with it', () => {
    const next = content([aReplica(1), aReplica(2, { retiring: true })]);
    const stamped = stampRevision(next, { document: published(content(), 4), statusRevision: 4 }, T1);
    expect(stamped).toEqual({ document: { ...next, revision: 5, updatedAt: T1.toISOString() }, changed: true });
  });

  it.each([
    ['a replica leaves', content([aReplica(1)])],
    ['a replica starts draining', content([aReplica(1), aReplica(2, { retiring: true })])],
    ['a lag value changes', content([aReplica(1, { lagSeconds: 0.5 }), aReplica(2)])],
    ['a host changes', content([aReplica(1, { endpoint: { host: 'elsewhere', port: 5432 } }), aReplica(2)])],
    ['a port changes', content([aReplica(1, { endpoint: { host: 'prod-servio-r1.abc.us-east-1.rds.amazonaws.com', port: 5433 } }), aReplica(2)])],
    ['the order changes', content([aReplica(2), aReplica(1)])],
    ['the routing changes', { ...content(), routing: { maxReplicaLagSeconds: 2, readYourWrites: 'lsn' as const, drainSeconds: 30 } }],
  ])('counts as a change: %s', (_, next) => {
    expect(stampRevision(next, { document: published(content(), 4), statusRevision: 4 }, T1).document.revision).toBe(5);
  });

  it('continues from the status when the ConfigMap was deleted (never goes back)', () => {
    expect(stampRevision(content(), { document: undefined, statusRevision: 9 }, T1).document).toMatchObject({ revision: 10, updatedAt: T1.toISOString() });
  });

  it('continues from the document when the status was not written after the last publication', () => {
    // The ConfigMap is written before the status: a crash in between must not count the change twice.
    expect(stampRevision(content(), { document: published(content(), 6), statusRevision: 5 }, T1)).toMatchObject({
      document: { revision: 6 },
      changed: false,
    });
  });

  it('moves past a document older than the status even with the same content (an old copy put back)', () => {
    expect(stampRevision(content(), { document: published(content(), 3), statusRevision: 8 }, T1).document.revision).toBe(9);
  });

  it('continues from the higher of document and status on a change', () => {
    const next = content([aReplica(1)]);
    expect(stampRevision(next, { document: published(content(), 12), statusRevision: 8 }, T1).document.revision).toBe(13);
    expect(stampRevision(next, { document: published(content(), 3), statusRevision: 8 }, T1).document.revision).toBe(9);
  });
});

describe('sameContent', () => {
  it('ignores revision and updatedAt only', () => {
    expect(sameContent(published(content(), 1, T0.toISOString()), content())).toBe(true);
    expect(sameContent(published(content(), 99, T1.toISOString()), content())).toBe(true);
    expect(sameContent(published(content(), 1), { ...content(), database: 'other' })).toBe(false);
  });

  it('compares through the contract, so an omitted default equals the default written out', () => {
    const { routing: _, ...withoutRouting } = content();
    expect(sameContent(published(content(), 1), withoutRouting as TopologyContent)).toBe(true);
  });
});
