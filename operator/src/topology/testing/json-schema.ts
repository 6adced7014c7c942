// The committed JSON Schema of topology.json (contract/topology.schema.json), compiled with ajv: tests check what
// the operator renders against the documented contract, not only against the zod schema it was generated from.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

export type TopologyValidator = (document: unknown) => string[];

export function topologyJsonSchemaValidator(): TopologyValidator {
  const path = require.resolve('@servio/replicasetdb-contract/topology.schema.json');
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
  return (document) => (validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`));
}
