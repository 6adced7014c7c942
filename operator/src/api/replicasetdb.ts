// The ReplicaSetDB resource: names, the whole-object schema, and the parse every watched object goes through.
import { z } from 'zod';
import { describeFieldErrors, fieldErrorsFromZod, type FieldError } from './field-error.js';
import { specSchema } from './spec.js';
import { statusSchema } from './status.js';

export const GROUP = 'db.servio.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'ReplicaSetDB';
export const LIST_KIND = 'ReplicaSetDBList';
export const PLURAL = 'replicasetdbs';
export const SINGULAR = 'replicasetdb';
export const SHORT_NAMES = ['rsdb'] as const;
export const CATEGORIES = ['servio'] as const;
export const CRD_NAME = `${PLURAL}.${GROUP}`;

// Only what the operator reads; the rest of ObjectMeta (managedFields, ...) passes through untouched. Timestamps
// arrive as strings from raw JSON and as Dates from the typed client.
const metadataSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.union([z.string(), z.date()]).optional(),
  deletionTimestamp: z.union([z.string(), z.date()]).optional(),
  finalizers: z.array(z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const replicaSetDBSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  metadata: metadataSchema,
  spec: specSchema,
  status: statusSchema.optional(),
});

export type ReplicaSetDB = z.output<typeof replicaSetDBSchema>;
export type ReplicaSetDBMetadata = ReplicaSetDB['metadata'];

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[]; message: string };

/** Validates a ReplicaSetDB and applies the schema defaults, exactly as admission does. */
export function parseReplicaSetDB(obj: unknown): ParseResult<ReplicaSetDB> {
  const result = replicaSetDBSchema.safeParse(obj);
  if (result.success) return { ok: true, value: result.data };
  const errors = fieldErrorsFromZod(result.error);
  return { ok: false, errors, message: `invalid ${KIND} ${objectName(obj)}: ${describeFieldErrors(errors)}` };
}

function objectName(obj: unknown): string {
  const meta = typeof obj === 'object' && obj !== null ? (obj as { metadata?: unknown }).metadata : undefined;
  if (typeof meta !== 'object' || meta === null) return '(unnamed)';
  const { namespace, name } = meta as { namespace?: unknown; name?: unknown };
  const n = typeof name === 'string' ? name : '(unnamed)';
  return typeof namespace === 'string' ? `${namespace}/${n}` : n;
}

export type { ReplicaSetDBSpec, ReplicaSetDBSpecInput } from './spec.js';
export type { ReplicaSetDBStatus } from './status.js';
