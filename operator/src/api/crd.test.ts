import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildCrd } from './crd.js';
import { parseReplicaSetDB } from './replicasetdb.js';
import type { SchemaNode } from './structural.js';
import { transitionRules } from './transition.js';

const crd = buildCrd();
const version = crd.spec.versions[0];
if (version === undefined) throw new Error('the CRD has no version');
const root = version.schema.openAPIV3Schema;
const props = (node: SchemaNode | undefined): Record<string, SchemaNode> => (node?.properties as Record<string, SchemaNode> | undefined) ?? {};
const specNode = props(root).spec;
const statusNode = props(root).status;

/** The schema node at a dotted path, following object properties (and array items for `[]`). */
function nodeAt(path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const key of path.split('.').filter((k) => k !== '')) {
    node = key === '[]' ? (node?.items as SchemaNode | undefined) : props(node)[key];
  }
  return node;
}

/** Every property below `node`, with its dotted path. */
function* properties(node: SchemaNode, path: string): Generator<[string, SchemaNode]> {
  for (const [key, child] of Object.entries(props(node))) {
    yield [`${path}.${key}`, child];
    yield* properties(child, `${path}.${key}`);
  }
  if (node.items !== undefined) yield* properties(node.items as SchemaNode, `${path}[]`);
}

describe('buildCrd', () => {
  it('declares the resource names, scope and status subresource', () => {
    expect(crd.metadata.name).toBe('replicasetdbs.db.servio.io');
    expect(crd.spec.group).toBe('db.servio.io');
    expect(crd.spec.names).toEqual({
      kind: 'ReplicaSetDB',
      listKind: 'ReplicaSetDBList',
      plural: 'replicasetdbs',
      singular: 'replicasetdb',
      shortNames: ['rsdb'],
      categories: ['servio'],
    });
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    expect(version.subresources).toEqual({ status: {} });
  });

  it('describes every spec and status property', () => {
    const undocumented = [...properties(specNode!, 'spec'), ...properties(statusNode!, 'status')]
      .filter(([, node]) => typeof node.description !== 'string' || node.description.length < 10)
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it('prints phase, ready and desired replicas, primary class and endpoint, and age', () => {
    const columns = version.additionalPrinterColumns;
    expect(columns.map((c) => c.name)).toEqual(['Phase', 'Ready', 'Desired', 'Primary Class', 'Primary Endpoint', 'Age']);
    // metadata is ObjectMeta, which the CRD schema does not spell out.
    for (const column of columns.filter((c) => !c.jsonPath.startsWith('.metadata.'))) {
      expect(nodeAt(column.jsonPath)?.type, column.jsonPath).toBe(column.type);
    }
  });

  it('makes status.conditions a list-map keyed by type', () => {
    const conditions = props(statusNode).conditions;
    expect(conditions?.['x-kubernetes-list-type']).toBe('map');
    expect(conditions?.['x-kubernetes-list-map-keys']).toEqual(['type']);
    expect((conditions?.items as SchemaNode).required).toContain('type');
  });

  it('puts no default in status, where the API server would apply it on every read', () => {
    expect([...properties(statusNode!, 'status')].filter(([, n]) => 'default' in n).map(([p]) => p)).toEqual([]);
  });

  it('points each CEL rule fieldPath at a declared property', () => {
    const rules: [string, string][] = [];
    for (const [path, node] of [['spec', specNode!] as [string, SchemaNode], ...properties(specNode!, 'spec')]) {
      for (const v of (node['x-kubernetes-validations'] as { fieldPath?: string }[] | undefined) ?? []) {
        if (v.fieldPath !== undefined) rules.push([path, v.fieldPath]);
      }
    }
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const [path, fieldPath] of rules) expect(nodeAt(`${path}${fieldPath}`), `${path}${fieldPath}`).toBeDefined();
  });

  it('puts each transition rule on its field, outside any list', () => {
    for (const rule of transitionRules) {
      const node = nodeAt(['spec', ...rule.path].join('.'));
      expect(node?.['x-kubernetes-validations']).toContainEqual({ rule: rule.rule, message: rule.message });
      expect(rule.rule).toContain('oldSelf');
    }
  });

  it('declares the same defaults as the zod schema', () => {
    // ajv applies `default` the way the API server does; the zod parse must arrive at the same object.
    const validate = new Ajv({ strict: false, useDefaults: true, allErrors: true }).compile(specNode!);
    for (const file of ['minimal.yaml', 'servio.yaml']) {
      const obj = parseYaml(readFileSync(new URL(`../../../examples/${file}`, import.meta.url), 'utf8')) as {
        spec: unknown;
      };
      const parsed = parseReplicaSetDB(obj);
      if (!parsed.ok) throw new Error(parsed.message);
      const defaulted = structuredClone(obj.spec);
      expect(validate(defaulted), JSON.stringify(validate.errors)).toBe(true);
      expect(defaulted, file).toEqual(parsed.value.spec);
    }
  });
});
