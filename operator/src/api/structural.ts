// zod's JSON Schema, made into what the API server calls a structural schema: every node typed, no $ref, no
// logical junctions, only keywords apiextensions.k8s.io/v1 knows. The API server rejects a CRD whose schema breaks
// these rules, and it would only say so when the CRD is installed; failing here makes `npm run generate` and the
// unit tests say it first, naming the offending node.
import { z } from 'zod';

export type SchemaNode = { [keyword: string]: unknown };

// JSONSchemaProps keywords, in the order the generated YAML lists them (descriptions first, then the
// constraints, then the children, then the cross-field rules) so that a reader meets a field's meaning first.
const KEYWORD_ORDER = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
] as const;

const ALLOWED = new Set<string>(KEYWORD_ORDER);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

export function toStructuralSchema(schema: z.ZodType): SchemaNode {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    // Input side: a field with a default is optional for the user and carries `default` for the API server.
    io: 'input',
    unrepresentable: 'throw',
    cycles: 'throw',
    reused: 'inline',
    override: ({ zodSchema, jsonSchema }) => {
      // A block's default is `{}` in zod (prefault: parsed, so the inner defaults fill it), but the API server
      // checks a default against the block's CEL rules as written, without the inner defaults. Declaring the
      // filled-in object makes both read the same value.
      if (zodSchema._zod.def.type === 'prefault') jsonSchema.default = z.parse(zodSchema, undefined);
    },
  }) as SchemaNode;
  delete json.$schema;
  return normalize(json, '');
}

function normalize(node: SchemaNode, path: string): SchemaNode {
  const out: SchemaNode = { ...node };
  const where = path === '' ? '<root>' : path;

  // zod emits both a format and its own regex for timestamps; the format is the one Kubernetes understands.
  if (out.format === 'date-time') delete out.pattern;
  // A union of integer literals comes out as type number; the API server would then accept 1.5 before the
  // enum check, and kubectl explain would say <number>.
  if (out.type === 'number' && Array.isArray(out.enum) && out.enum.every((v) => Number.isInteger(v))) {
    out.type = 'integer';
  }
  // z.int() bounds every integer by the safe-integer range; as a constraint that is noise, and the API server
  // already stores integers as int64.
  if (out.type === 'integer') {
    if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
    if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  }
  // Unknown fields are pruned by the API server, which forbids additionalProperties: false next to properties.
  if (out.additionalProperties === false) delete out.additionalProperties;

  for (const keyword of Object.keys(out)) {
    if (!ALLOWED.has(keyword)) throw new Error(`non-structural schema at ${where}: keyword ${keyword} is not allowed`);
  }
  if (typeof out.type !== 'string' || !TYPES.has(out.type)) {
    throw new Error(`non-structural schema at ${where}: every node needs a type, got ${JSON.stringify(out.type)}`);
  }
  if (out.properties !== undefined && out.additionalProperties !== undefined) {
    throw new Error(`non-structural schema at ${where}: properties and additionalProperties are exclusive`);
  }

  if (isNode(out.properties)) {
    const properties: SchemaNode = {};
    for (const [key, child] of Object.entries(out.properties)) {
      if (!isNode(child)) throw new Error(`non-structural schema at ${where}.${key}: not a schema`);
      properties[key] = normalize(child, path === '' ? key : `${path}.${key}`);
    }
    out.properties = properties;
  }
  if (out.items !== undefined) {
    if (!isNode(out.items)) throw new Error(`non-structural schema at ${where}[]: items must be one schema`);
    out.items = normalize(out.items, `${path}[]`);
  }
  if (out.additionalProperties !== undefined) {
    if (!isNode(out.additionalProperties)) {
      throw new Error(`non-structural schema at ${where}: additionalProperties must be a schema`);
    }
    out.additionalProperties = normalize(out.additionalProperties, `${path}.*`);
  }
  return sortKeywords(out);
}

function sortKeywords(node: SchemaNode): SchemaNode {
  const sorted: SchemaNode = {};
  for (const keyword of KEYWORD_ORDER) if (keyword in node) sorted[keyword] = node[keyword];
  return sorted;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
