// Reconciles of many objects each need a DescribeDBInstances; issued one per object, 100 objects make 100 calls
// per resync. Requests that arrive within a short window are merged into one filtered call (the adapter splits
// it at the filter's 100-value limit), and each caller gets back only the instances it asked about.
//
// Freshness is not traded away: a request is only ever answered by a call issued after it arrived.
import { untilAborted } from '@servio/controller-runtime';
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

/** The same port, with its describeInstances coalesced; every other call goes straight through, with its caller's
 * options. A merged describe serves several reconciles, so one caller's abort signal does not cancel it: that caller
 * only stops waiting for it. */
export function withCoalescedDescribes(port: RdsPort, options: CoalescingOptions): RdsPort {
  const describe = coalesceDescribes((ids) => port.describeInstances(ids), options);
  return {
    // A fresh describe guards a destructive call and is rare: it goes out on its own, as its caller's request, so
    // nothing beneath can answer it from a cache and its abort signal cancels the request itself.
    describeInstances: (ids, call) => (call?.fresh === true ? port.describeInstances(ids, call) : untilAborted(describe(ids), call?.signal)),
    createPrimary: (input, call) => port.createPrimary(input, call),
    createReplica: (input, call) => port.createReplica(input, call),
    modifyInstance: (id, changes, applyImmediately, call) => port.modifyInstance(id, changes, applyImmediately, call),
    setMasterPassword: (id, password, call) => port.setMasterPassword(id, password, call),
    deleteInstance: (id, finalSnapshot, call) => port.deleteInstance(id, finalSnapshot, call),
    addTags: (arn, tags, call) => port.addTags(arn, tags, call),
    listTags: (arn, call) => port.listTags(arn, call),
    describeParameterGroup: (name, call) => port.describeParameterGroup(name, call),
    listParameterGroups: (call) => port.listParameterGroups(call),
    createParameterGroup: (input, call) => port.createParameterGroup(input, call),
    setParameters: (name, values, call) => port.setParameters(name, values, call),
    resetParameters: (name, names, call) => port.resetParameters(name, names, call),
    deleteParameterGroup: (name, call) => port.deleteParameterGroup(name, call),
    describeSnapshot: (id, call) => port.describeSnapshot(id, call),
  };
}
