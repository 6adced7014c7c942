import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { renderTopologyJsonSchema } from '../src/json-schema.js';
import { parseTopology } from '../src/index.js';
import { aTopology, replicas } from './fixtures.js';

const committedPath = new URL('../topology.schema.json', import.meta.url);

describe('topology.schema.json', () => {
  it('is what the zod schema generates (run `npm run generate -w contract` after changing the schema)', () => {
    expect(readFileSync(committedPath, 'utf8')).toBe(renderTopologyJsonSchema());
  });

  it('gives the same verdict as the zod schema on valid and invalid documents', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(committedPath, 'utf8')) as object);
    const corpus: unknown[] = [
      aTopology(),
      aTopology({ replicas: replicas({ id: 'r1', port: 2, lagSeconds: 0.5 }, { id: 'r2', port: 3, state: 'draining' }) }),
      { ...aTopology(), routing: undefined },
      aTopology({ epoch: '6f1c9a52-3b1e-4c57-9d1a-0f3e2a9b7c11' }),
      aTopology({ epoch: '' }),
      { ...aTopology(), epoch: 7 },
      { ...aTopology(), version: 2 },
      aTopology({ revision: 1.5 }),
      aTopology({ name: 'Not_DNS' }),
      { ...aTopology(), primary: { id: 'p', host: 'h', port: 70000 } },
      { ...aTopology(), replicas: [{ id: 'r', host: 'h', port: 1, state: 'gone' }] },
      { ...aTopology(), routing: { readYourWrites: 'sometimes' } },
      aTopology({ updatedAt: 'yesterday' }),
      { ...aTopology(), credentialsSecret: undefined },
    ];
    for (const doc of corpus) {
      const json = JSON.parse(JSON.stringify(doc)) as unknown;
      let zodAccepts = true;
      try {
        parseTopology(json);
      } catch {
        zodAccepts = false;
      }
      expect({ doc: json, valid: validate(json) }).toEqual({ doc: json, valid: zodAccepts });
    }
  });
});
