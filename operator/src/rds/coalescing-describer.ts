// Reconciles of many objects each need a DescribeDBInstances; issued one per object, 100 objects make 100 calls
// per resync. Requests that arrive within a short window are merged into one filtered call (the adapter splits
// it at the filter's 100-value limit), and each caller gets back only the instances it asked about.
//
// Freshness is not traded away: a request is only ever answered by a call issued after it arrived.
import type { RdsInstance, RdsPort } from './port.js';

export interface CoalescingOptions {
  /** How long the first request of a batch waits for others to join. */
  windowMs: number;
  /** A batch this large is sent at once instead of waiting out the window. */
  maxIds: number;
}

interface Waiter {
  ids: readonly string[];
  resolve: (found: Map<string, RdsInstance>) => void;
  reject: (err: unknown) => void;
}

export type DescribeInstances = (ids: readonly string[]) => Promise<Map<string, RdsInstance>>;

export function coalesceDescribes(describe: DescribeInstances, options: CoalescingOptions): DescribeInstances {
  let waiters: Waiter[] = [];
  let pendingIds = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = waiters;
    const ids = [...pendingIds];
    waiters = [];
    pendingIds = new Set();
    if (batch.length === 0) return;
    describe(ids).then(
      (found) => {
        for (const w of batch) {
          const mine = new Map<string, RdsInstance>();
          for (const id of w.ids) {
            const instance = found.get(id);
            if (instance !== undefined) mine.set(id, instance);
          }
          w.resolve(mine);
        }
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
  };

  return (ids) => {
    const normalised = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (normalised.length === 0) return Promise.resolve(new Map());
    return new Promise((resolve, reject) => {
      waiters.push({ ids: normalised, resolve, reject });
      for (const id of normalised) pendingIds.add(id);
      if (pendingIds.size >= options.maxIds) flush();
      else if (timer === undefined) timer = setTimeout(flush, options.windowMs);
    });
  };
}

/** The same port, with its describeInstances coalesced; every other call goes straight through. */
export function withCoalescedDescribes(port: RdsPort, options: CoalescingOptions): RdsPort {
  return {
    describeInstances: coalesceDescribes((ids) => port.describeInstances(ids), options),
    createPrimary: (input) => port.createPrimary(input),
    createReplica: (input) => port.createReplica(input),
    modifyInstance: (id, changes, applyImmediately) => port.modifyInstance(id, changes, applyImmediately),
    setMasterPassword: (id, password) => port.setMasterPassword(id, password),
    deleteInstance: (id, finalSnapshot) => port.deleteInstance(id, finalSnapshot),
    addTags: (arn, tags) => port.addTags(arn, tags),
    listTags: (arn) => port.listTags(arn),
    describeParameterGroup: (name) => port.describeParameterGroup(name),
    listParameterGroups: () => port.listParameterGroups(),
    createParameterGroup: (input) => port.createParameterGroup(input),
    setParameters: (name, values) => port.setParameters(name, values),
    resetParameters: (name, names) => port.resetParameters(name, names),
    deleteParameterGroup: (name) => port.deleteParameterGroup(name),
    describeSnapshot: (id) => port.describeSnapshot(id),
  };
}
