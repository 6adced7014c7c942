// The CustomResourceDefinition, derived from the zod schemas; crds/ holds its YAML (npm run generate).
import { API_VERSION, CATEGORIES, CRD_NAME, GROUP, KIND, LIST_KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from './replicasetdb.js';
import { specSchema } from './spec.js';
import { statusSchema } from './status.js';
import { toStructuralSchema, type SchemaNode } from './structural.js';
import { transitionRules, type TransitionRule } from './transition.js';

/** The wire form (what kubectl applies), not @kubernetes/client-node's model, whose property names differ
 * (`xKubernetesValidations`). */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    scope: 'Namespaced';
    versions: CustomResourceDefinitionVersion[];
  };
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources: { status: Record<string, never> };
  additionalPrinterColumns: PrinterColumn[];
  schema: { openAPIV3Schema: SchemaNode };
}

const printerColumns: PrinterColumn[] = [
  { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Summary of the observed state.' },
  {
    name: 'Ready',
    type: 'integer',
    jsonPath: '.status.readyReplicas',
    description: 'Read replicas available and within the lag limit.',
  },
  { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas.count', description: 'Read replicas requested.' },
  {
    name: 'Primary Class',
    type: 'string',
    jsonPath: '.spec.primary.instanceClass',
    description: 'DB instance class of the primary.',
  },
  {
    name: 'Primary Endpoint',
    type: 'string',
    jsonPath: '.status.primary.endpoint.host',
    description: 'DNS name of the primary.',
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
];

export function buildCrd(): CustomResourceDefinition {
  const spec = toStructuralSchema(specSchema);
  for (const rule of transitionRules) addTransitionRule(spec, rule);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'replicasetdb-operator' } },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: LIST_KIND,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
        categories: [...CATEGORIES],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
          schema: {
            openAPIV3Schema: {
              description:
                'A PostgreSQL primary and its read replicas on Amazon RDS. The operator creates and modifies the ' +
                'RDS instances to match spec, and publishes their endpoints for the client library.',
              type: 'object',
              properties: {
                apiVersion: {
                  description: `Versioned schema of this representation of an object: ${API_VERSION}.`,
                  type: 'string',
                },
                kind: { description: `Kind of this object: ${KIND}.`, type: 'string' },
                metadata: { type: 'object' },
                spec,
                status: toStructuralSchema(statusSchema),
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}

function addTransitionRule(spec: SchemaNode, rule: TransitionRule): void {
  let node = spec;
  for (const key of rule.path) {
    const child = (node.properties as Record<string, SchemaNode> | undefined)?.[key];
    if (child === undefined) throw new Error(`transition rule for spec.${rule.path.join('.')}: no such field`);
    node = child;
  }
  const existing = (node['x-kubernetes-validations'] as unknown[] | undefined) ?? [];
  node['x-kubernetes-validations'] = [...existing, { rule: rule.rule, message: rule.message }];
}
