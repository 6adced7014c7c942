// Writes topology.schema.json from the zod schema: contract/topology.schema.json, or the path given (the client
// package keeps a copy under its own name for its consumers). Unit tests fail when a committed copy drifts.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTopologyJsonSchema } from '../src/json-schema.js';

const target = process.argv[2] !== undefined ? resolve(process.argv[2]) : fileURLToPath(new URL('../topology.schema.json', import.meta.url));
writeFileSync(target, renderTopologyJsonSchema());
console.log(`wrote ${target}`);
