// Reads and writes one coordination.k8s.io/v1 Lease. Every write carries the resourceVersion that was read, so two
// candidates racing for the same lease cannot both win: the second write gets 409 Conflict.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { isNotFound } from './api-status.js';
import type { LeaseRecord } from './lease-decision.js';

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

export interface LeaseStore {
  /** For logs: `namespace/name`. */
  readonly description: string;
  get(): Promise<StoredLease | undefined>;
  /** Fails with 409 when the lease already exists. */
  create(record: LeaseRecord): Promise<StoredLease>;
  /** Fails with 409 when the lease changed since `resourceVersion` was read. */
  update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
}

export function kubeLeaseStore(kc: KubeConfig, lease: { namespace: string; name: string }): LeaseStore {
  const api = kc.makeApiClient(CoordinationV1Api);
  const { namespace, name } = lease;
  return {
    description: `${namespace}/${name}`,
    async get() {
      try {
        return fromLease(await api.readNamespacedLease({ name, namespace }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record) {
      return fromLease(await api.createNamespacedLease({ namespace, body: toLease(record, { name, namespace }) }));
    },
    async update(record, resourceVersion) {
      const body = toLease(record, { name, namespace, resourceVersion });
      return fromLease(await api.replaceNamespacedLease({ name, namespace, body }));
    },
  };
}

function toLease(record: LeaseRecord, metadata: { name: string; namespace: string; resourceVersion?: string }): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata,
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      leaseTransitions: record.leaseTransitions,
      // MicroTime wants six fractional digits; a plain Date serialises with three and the API server rejects it.
      ...(record.acquireTime ? { acquireTime: new V1MicroTime(record.acquireTime.getTime()) } : {}),
      ...(record.renewTime ? { renewTime: new V1MicroTime(record.renewTime.getTime()) } : {}),
    },
  };
}

function fromLease(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  const acquireTime = toDate(spec.acquireTime);
  const renewTime = toDate(spec.renewTime);
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      leaseTransitions: spec.leaseTransitions ?? 0,
      ...(acquireTime ? { acquireTime } : {}),
      ...(renewTime ? { renewTime } : {}),
    },
  };
}

// The client declares MicroTime fields as Dates but, having no deserialiser for them, hands back the raw string.
function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'string' && value !== '') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  return undefined;
}
