// A Lease held in memory with the API server's optimistic concurrency (409 on a stale resourceVersion or on
// creating a lease that exists), for unit tests of the leader elector.
import { ApiException } from '@kubernetes/client-node';
import type { LeaseRecord } from '../src/lease-decision.js';
import type { LeaseStore, StoredLease } from '../src/lease-store.js';

export class MemoryLeaseStore implements LeaseStore {
  readonly description = 'test/lease';
  private stored: StoredLease | undefined;
  private version = 0;
  /** When set, every call fails as if the API server were unreachable. */
  unreachable = false;
  /** Every successful write, in order. */
  readonly writes: LeaseRecord[] = [];

  async get(): Promise<StoredLease | undefined> {
    this.failIfUnreachable();
    return this.stored && structuredClone(this.stored);
  }

  async create(record: LeaseRecord): Promise<StoredLease> {
    this.failIfUnreachable();
    if (this.stored) throw new ApiException(409, 'AlreadyExists', {}, {});
    return this.write(record);
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease> {
    this.failIfUnreachable();
    if (!this.stored || this.stored.resourceVersion !== resourceVersion) throw new ApiException(409, 'Conflict', {}, {});
    return this.write(record);
  }

  holder(): string | undefined {
    return this.stored?.record.holderIdentity;
  }

  /** Another process writing the lease behind the electors' backs. */
  overwrite(record: LeaseRecord): void {
    this.write(record);
  }

  private write(record: LeaseRecord): StoredLease {
    this.version += 1;
    this.stored = { record: structuredClone(record), resourceVersion: String(this.version) };
    this.writes.push(structuredClone(record));
    return structuredClone(this.stored);
  }

  private failIfUnreachable(): void {
    if (this.unreachable) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  }
}
