// In a steady state every ReplicaSetDB is reconciled once per resync interval, each wanting its instances and its
// parameter group. Asked one object at a time, 100 objects cost 100 DescribeDBInstances (and 300 parameter-group
// reads) per resync even when coalesced, because their resync timers are spread over the interval.
//
// This decorator keeps one inventory of every instance the operator asks about, refreshed as a whole (one
// describe per 100 identifiers) at most once per `maxAgeMs`, and answers a describe from it only when that is
// safe: every asked-for instance is in the inventory, `available`, and untouched by the operator since the
// inventory was taken. Anything else (an instance that is missing, transitioning, or that the operator just
// created, modified, deleted or tagged) is read fresh. A change made outside the operator to a steady instance
// is therefore in the first inventory taken `maxAgeMs` after the last one; steadyCacheOptions chooses the ages so
// that this is the next resync's.
// Parameter groups are cached the same way, per name, and dropped on every write to them. The list of every group
// (which each object reads to find the groups an engine upgrade left behind) is one shared reading for all
// objects, dropped on any group write.
import { untilAborted } from '@servio/controller-runtime';
import type { DescribeOptions, ParameterGroup, ParameterGroupSummary, RdsInstance, RdsPort } from './port.js';

export interface SteadyCacheOptions {
  /** Oldest inventory a steady describe may be answered from (steadyCacheOptions: 0.8 of the steady resync). */
  maxAgeMs: number;
  /** Oldest parameter group reading (default: maxAgeMs). Longer than the resync interval means a group edited by
   * hand outside the operator is put back later, in exchange for fewer reads: every object has a group of its
   * own, so these reads cannot be shared between objects the way instance describes are. */
  parameterGroupMaxAgeMs?: number;
  now?: () => number;
}

/**
 * The cache ages for the operator's steady resync interval R. The periodic resync reconciles every object together,
 * in waves 0.9 R to R apart (the controller's jitter). A reading as old as R would survive into the next wave, and
 * a change made just after a wave would wait for the one after: two intervals. 0.8 R expires between any two waves
 * and not within one (a wave of steady reconciles takes seconds, a few even at a resync of a few seconds), so each
 * wave takes one inventory and a change is seen by the next wave: within R. Parameter groups are read every third
 * wave: 2.6 R has expired by the third (at least 2.7 R later) and not by the second (at most 2 R, plus the wave), so
 * a hand edit is put back within 3 R.
 */
export function steadyCacheOptions(resyncSteadyMs: number): SteadyCacheOptions {
  return { maxAgeMs: 0.8 * resyncSteadyMs, parameterGroupMaxAgeMs: 2.6 * resyncSteadyMs };
}

const STEADY_STATUS = 'available';

interface Inventory {
  takenAt: number;
  /** The identifiers the describe asked for: one missing from `instances` is known not to exist. */
  asked: Set<string>;
  instances: Map<string, RdsInstance>;
}

export function withSteadyStateCache(port: RdsPort, options: SteadyCacheOptions): RdsPort {
  const now = options.now ?? Date.now;
  /** Identifier -> when it was last asked about; identifiers nobody asks about any more age out. */
  const interest = new Map<string, number>();
  /** Identifier -> sequence number of the operator's latest write to it (marked when the write starts and again
   * when it returns, so a write still in flight when an inventory was taken cannot be hidden by it). */
  const touched = new Map<string, number>();
  let sequence = 0;
  let inventory: Inventory | undefined;
  let refreshing: Promise<Inventory> | undefined;
  const groups = new Map<string, { takenAt: number; group: ParameterGroup }>();
  /** Parameter group -> sequence number of the latest write; a describe that overlapped a write is not cached. */
  const groupWrites = new Map<string, number>();
  let groupList: { takenAt: number; groups: ParameterGroupSummary[] } | undefined;
  let lastGroupWrite = 0;

  const isFresh = (takenAt: number, maxAgeMs = options.maxAgeMs) => now() - takenAt < maxAgeMs;
  const groupMaxAgeMs = options.parameterGroupMaxAgeMs ?? options.maxAgeMs;

  const refresh = (): Promise<Inventory> => {
    if (refreshing !== undefined) return refreshing;
    const cutoff = now() - 3 * options.maxAgeMs;
    for (const [id, askedAt] of interest) if (askedAt < cutoff) interest.delete(id);
    const takenAt = now();
    const startedAt = sequence;
    const asked = new Set(interest.keys());
    refreshing = port
      .describeInstances([...asked])
      .then((instances) => {
        // Writes that had returned before this describe was sent are in its answer; later ones stay marked.
        for (const [id, seq] of touched) if (seq <= startedAt) touched.delete(id);
        inventory = { takenAt, asked, instances };
        return inventory;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  const servable = (inv: Inventory, ids: readonly string[]) =>
    isFresh(inv.takenAt) && ids.every((id) => !touched.has(id) && inv.instances.get(id)?.status === STEADY_STATUS);

  const pick = (inv: Inventory, ids: readonly string[]) => {
    const found = new Map<string, RdsInstance>();
    for (const id of ids) {
      const instance = inv.instances.get(id);
      if (instance !== undefined) found.set(id, instance);
    }
    return found;
  };

  const touch = (id: string) => {
    touched.set(id.toLowerCase(), ++sequence);
  };

  const touchGroup = (name: string) => {
    groups.delete(name);
    groupList = undefined;
    lastGroupWrite = ++sequence;
    groupWrites.set(name, lastGroupWrite);
  };

  /** Marks what is written before the write and again after it, whatever its outcome. */
  const around =
    (mark: (subject: string) => void) =>
    async <T>(subject: string, write: () => Promise<T>): Promise<T> => {
      mark(subject);
      try {
        return await write();
      } finally {
        mark(subject);
      }
    };
  const writing = around(touch);
  const writingGroup = around(touchGroup);

  const touchArn = (arn: string) => {
    // arn:aws:rds:<region>:<account>:db:<identifier> or ...:pg:<parameter group name>
    const [kind, name] = arn.split(':').slice(-2);
    if (name === undefined) return;
    if (kind === 'db') touch(name);
    if (kind === 'pg') touchGroup(name);
  };

  /** A describe of our own, sent with the caller's options (`fresh` included, so nothing beneath answers it from a
   * cache either). */
  async function describeFresh(ids: string[], call: DescribeOptions | undefined): Promise<Map<string, RdsInstance>> {
    const found = await port.describeInstances(ids, call);
    // A fresh answer for these identifiers is newer than the inventory; keep it there for the next reader, and
    // forget the ones that are gone.
    if (inventory !== undefined) {
      for (const id of ids) {
        const instance = found.get(id);
        if (instance === undefined) inventory.instances.delete(id);
        else inventory.instances.set(id, instance);
      }
    }
    return found;
  }

  return {
    async describeInstances(requested, call) {
      const ids = [...new Set(requested.map((id) => id.toLowerCase()))];
      const at = now();
      for (const id of ids) interest.set(id, at);
      if (call?.fresh === true) return describeFresh(ids, call);
      if (inventory !== undefined && servable(inventory, ids)) return pick(inventory, ids);
      if (inventory === undefined || !isFresh(inventory.takenAt)) {
        // The inventory is shared: an aborted caller stops waiting for it, the refresh goes on for the others.
        const inv = await untilAborted(refresh(), call?.signal);
        // Taken during this call, so as fresh as a describe of our own, whatever state the instances are in, as
        // long as it asked for all of ours and none was written to after it was sent.
        if (ids.every((id) => inv.asked.has(id) && !touched.has(id))) return pick(inv, ids);
      }
      return describeFresh(ids, call);
    },
    createPrimary: (input, call) => writing(input.identifier, () => port.createPrimary(input, call)),
    createReplica: (input, call) => writing(input.identifier, () => port.createReplica(input, call)),
    modifyInstance: (id, changes, applyImmediately, call) => writing(id, () => port.modifyInstance(id, changes, applyImmediately, call)),
    setMasterPassword: (id, password, call) => writing(id, () => port.setMasterPassword(id, password, call)),
    deleteInstance: (id, finalSnapshot, call) => writing(id, () => port.deleteInstance(id, finalSnapshot, call)),
    async addTags(arn, tags, call) {
      touchArn(arn);
      try {
        return await port.addTags(arn, tags, call);
      } finally {
        touchArn(arn);
      }
    },
    listTags: (arn, call) => port.listTags(arn, call),
    async describeParameterGroup(name, call) {
      const cached = groups.get(name);
      if (cached !== undefined && isFresh(cached.takenAt, groupMaxAgeMs)) return cached.group;
      const takenAt = now();
      const startedAt = sequence;
      const group = await port.describeParameterGroup(name, call);
      // A group the operator has not created yet is not cached: the create that follows must see it at once.
      const overlappedWrite = (groupWrites.get(name) ?? 0) > startedAt;
      if (group !== undefined && !overlappedWrite) groups.set(name, { takenAt, group });
      return group;
    },
    async listParameterGroups(call) {
      if (groupList !== undefined && isFresh(groupList.takenAt, groupMaxAgeMs)) return groupList.groups;
      const takenAt = now();
      const startedAt = sequence;
      const listed = await port.listParameterGroups(call);
      if (lastGroupWrite <= startedAt) groupList = { takenAt, groups: listed };
      return listed;
    },
    createParameterGroup: (input, call) => writingGroup(input.name, () => port.createParameterGroup(input, call)),
    setParameters: (name, values, call) => writingGroup(name, () => port.setParameters(name, values, call)),
    resetParameters: (name, names, call) => writingGroup(name, () => port.resetParameters(name, names, call)),
    deleteParameterGroup: (name, call) => writingGroup(name, () => port.deleteParameterGroup(name, call)),
    describeSnapshot: (id, call) => port.describeSnapshot(id, call),
  };
}
