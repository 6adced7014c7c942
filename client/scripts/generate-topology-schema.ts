// Writes client/topology.schema.json from the zod schema; a unit test fails when the committed file drifts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderTopologyJsonSchema } from '../src/topology/json-schema.js';

const target = fileURLToPath(new URL('../topology.schema.json', import.meta.url));
writeFileSync(target, renderTopologyJsonSchema());
console.log(`wrote ${target}`);
