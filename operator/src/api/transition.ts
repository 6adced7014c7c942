// Rules about how a spec may change between two generations. Each is declared once: crd.ts puts `rule` on the
// field as a CEL transition rule (the API server evaluates it on update, with oldSelf bound to the stored value),
// and validateSpecTransition runs `holds` for the operator and the tests. Both see specs with defaults applied,
// so a field the user omits is compared through its default, as admission does.
import { isDeepStrictEqual } from 'node:util';
import type { FieldError } from './field-error.js';
import type { ReplicaSetDBSpec } from './spec.js';

export interface TransitionRule {
  /** Property path inside spec. */
  path: readonly string[];
  rule: string;
  message: string;
  holds: (next: unknown, previous: unknown) => boolean;
}

function immutable(path: readonly string[], why: string): TransitionRule {
  return {
    path,
    rule: 'self == oldSelf',
    message: `${path.join('.')} cannot be changed: ${why}`,
    holds: (next, previous) => isDeepStrictEqual(next, previous),
  };
}

export const transitionRules: readonly TransitionRule[] = [
  immutable(['engine'], 'RDS cannot convert an instance to another engine'),
  immutable(['databaseName'], 'RDS creates the database once, with the instance'),
  immutable(['masterUsername'], 'RDS cannot rename the master user'),
  immutable(['storageEncrypted'], 'RDS cannot encrypt or decrypt an existing instance; restore a snapshot instead'),
  immutable(['kmsKeyId'], 'RDS cannot re-encrypt an existing instance with another key'),
  {
    path: ['primary', 'allocatedStorageGiB'],
    rule: 'self >= oldSelf',
    message: 'primary.allocatedStorageGiB cannot decrease: RDS cannot shrink storage',
    holds: (next, previous) => typeof next !== 'number' || typeof previous !== 'number' || next >= previous,
  },
];

/** Errors for every rule the change from `previous` to `next` breaks; empty when the update is allowed. */
export function validateSpecTransition(previous: ReplicaSetDBSpec, next: ReplicaSetDBSpec): FieldError[] {
  const errors: FieldError[] = [];
  for (const r of transitionRules) {
    const before = valueAt(previous, r.path);
    const after = valueAt(next, r.path);
    // Like the API server, which evaluates a transition rule only where the field exists in both objects.
    if (before === undefined || after === undefined) continue;
    if (!r.holds(after, before)) errors.push({ path: ['spec', ...r.path].join('.'), message: r.message });
  }
  return errors;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
