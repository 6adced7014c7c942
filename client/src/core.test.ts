import type pg from 'pg';
import { parseTopology } from '@servio/replicasetdb-contract';
import { describe, expect, it } from 'vitest';
import { aTopology, replicas } from '../test/fixtures.js';
import { RouterCore } from './core.js';
import { Endpoint } from './endpoint.js';
import { resolveOptions } from './options.js';

function fakePool(): pg.Pool {
  return { end: async () => undefined, on: () => undefined } as unknown as pg.Pool;
}

function aCore(replicaPort: number) {
  const topology = parseTopology(aTopology({ replicas: replicas({ id: 'r1', port: replicaPort }) }));
  const options = resolveOptions({ topology, credentials: { username: 'u', password: 'p' } });
  return new RouterCore(topology, options, (spec) => new Endpoint(spec, { main: fakePool(), readOnly: undefined, monitor: fakePool() }), {
    error: () => undefined,
  });
}

describe('RouterCore endpoint counters', () => {
  it('carries on counting under the same id and role when an endpoint is replaced, the old one included while it drains', () => {
    const core = aCore(6001);
    const old = core.replicas[0]!;
    old.counters.routed = 5;
    old.counters.failures = 2;
    core.applyTopology(parseTopology(aTopology({ revision: 2, replicas: replicas({ id: 'r1', port: 6002 }) })));
    const replacement = core.replicas[0]!;
    expect(replacement).not.toBe(old);
    expect(replacement.counters).toMatchObject({ routed: 5, failures: 2 });
    // A query the old endpoint still finishes while it drains is counted too.
    old.counters.routed++;
    replacement.counters.routed++;
    expect(core.replicas[0]!.counters.routed).toBe(7);
    // The primary keeps its own.
    expect(core.primary.counters.routed).toBe(0);
  });
});
