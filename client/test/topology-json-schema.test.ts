import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTopologyJsonSchema } from '@servio/replicasetdb-contract';

// Consumers import `@servio/replicasetdb-client/topology.schema.json`; the package keeps a copy of the contract's.
describe('client/topology.schema.json', () => {
  it("is the contract's JSON Schema (run `npm run generate -w client` after changing the contract)", () => {
    expect(readFileSync(new URL('../topology.schema.json', import.meta.url), 'utf8')).toBe(renderTopologyJsonSchema());
  });
});
