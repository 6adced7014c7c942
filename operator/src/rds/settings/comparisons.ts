// How a desired value is compared with the one RDS reports. A field RDS does not report is no difference: acting on
// an unknown would repeat a ModifyDBInstance on every resync.
import { compareEngineVersions } from '../engine-version.js';
import type { CompareContext, Comparison, RuleChange } from './row.js';

function change<V>(key: string, desired: V, observed: V | undefined): RuleChange {
  return { modification: { [key]: desired }, from: observed, to: desired };
}

export function exact<V>(key: string): Comparison<V> {
  return {
    summary: 'exact; not reported: no difference',
    diff: (desired, observed) => (observed !== undefined && observed !== desired ? change(key, desired, observed) : undefined),
  };
}

/** A value RDS always reports once it is set, so its absence is a difference to correct. */
export function exactEvenIfAbsent<V>(key: string): Comparison<V> {
  return {
    summary: 'exact',
    diff: (desired, observed) => (observed !== desired ? change(key, desired, observed) : undefined),
  };
}

/** RDS reports a window in lower case whatever case it was given. */
export function caseInsensitive(key: string): Comparison<string | undefined> {
  return {
    summary: 'case-insensitive',
    diff: (desired, observed) => (observed?.toLowerCase() !== desired.toLowerCase() ? change(key, desired, observed) : undefined),
  };
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/** `emptyIsUnset`: an empty desired list leaves the setting to RDS (the VPC's default security group). */
export function setEquality(key: string, emptyIsUnset: boolean): Comparison<string[]> {
  return {
    summary: emptyIsUnset ? 'set equality; empty: left to RDS' : 'set equality',
    diff: (desired, observed) =>
      (emptyIsUnset && desired.length === 0) || sameSet(observed ?? [], desired) ? undefined : change(key, [...desired], observed ?? []),
  };
}

/** CloudWatch log exports are changed by naming what to turn on and what to turn off. */
export const logExportsRule: Comparison<string[]> = {
  summary: 'set equality; sends what to enable and disable',
  diff: (desired, observed = []) =>
    sameSet(observed, desired)
      ? undefined
      : {
          modification: { logExports: { enable: desired.filter((l) => !observed.includes(l)), disable: observed.filter((l) => !desired.includes(l)) } },
          from: observed,
          to: desired,
        },
};

/** Never smaller: RDS cannot shrink a volume, and autoscaling may legitimately have grown it past the spec. */
export const neverSmaller: Comparison<number> = {
  summary: 'never smaller (RDS cannot shrink a volume; autoscaling may have grown it)',
  diff: (desired, observed = 0) => (desired > observed ? change('allocatedStorageGiB', desired, observed) : undefined),
  satisfiedBy: (desired, pending) => pending >= desired,
};

function num(context: CompareContext['desired'], key: string): number {
  return (context[key] as number | undefined) ?? 0;
}

/** RDS reports no maximum when autoscaling is off; a maximum at or below the allocated storage is off too (it is how
 * a ModifyDBInstance turns autoscaling off, whatever RDS then reports). */
function storageLimits(observed: number | undefined, { desired: d, observed: o }: CompareContext) {
  return {
    effectiveStorage: Math.max(num(o, 'allocatedStorageGiB'), num(d, 'allocatedStorageGiB')),
    observedMax: observed !== undefined && observed > num(o, 'allocatedStorageGiB') ? observed : undefined,
  };
}

export const autoscaledStorage: Comparison<number | undefined> = {
  summary: 'autoscaling limit; at or below the allocated storage: off; unset: turned off',
  diff: (desired, observed, context) => {
    const { effectiveStorage, observedMax } = storageLimits(observed, context);
    return observedMax !== desired && desired > effectiveStorage ? change('maxAllocatedStorageGiB', desired, observedMax) : undefined;
  },
  diffUnset: (observed, context) => {
    const { effectiveStorage, observedMax } = storageLimits(observed, context);
    return observedMax === undefined ? undefined : { modification: { maxAllocatedStorageGiB: effectiveStorage }, from: observedMax, to: undefined };
  },
};

/** Only compared where RDS reports the desired storage type already; a type change carries it (see storageType). */
export function sameStorageTypeOnly<V>(key: string, unreportedIsDifference: boolean): Comparison<V> {
  return {
    summary: `exact, once the storage type is the desired one${unreportedIsDifference ? '' : '; not reported: no difference'}`,
    diff: (desired, observed, { desired: d, observed: o }) =>
      observed !== desired && (observed !== undefined || unreportedIsDifference) && o.storageType === d.storageType
        ? change(key, desired, observed)
        : undefined,
  };
}

/** A storage type change carries the storage settings that depend on it, which RDS checks together. */
export function storageTypeRule(dependents: readonly string[]): Comparison<string> {
  return {
    summary: 'exact; not reported: no difference; sent with its iops and throughput',
    diff: (desired, observed, { desired: d }) =>
      observed !== undefined && observed !== desired
        ? { modification: Object.fromEntries([['storageType', desired], ...dependents.map((k) => [k, d[k]])]), from: observed, to: desired }
        : undefined,
  };
}

/** A newer minor version RDS applied by itself is not fought; a major upgrade names the new family's parameter
 * group (a custom group belongs to one family). */
export const engineVersionRule: Comparison<string> = {
  summary: 'upgrades only; a newer minor version is not fought',
  diff: (desired, observed = '', { desired: d }) => {
    const verdict = compareEngineVersions(desired, observed);
    if (verdict === 'minor-upgrade') return change('engineVersion', desired, observed);
    if (verdict !== 'major-upgrade') return undefined;
    return { modification: { engineVersion: desired, allowMajorVersionUpgrade: true, parameterGroupName: d.parameterGroupName }, from: observed, to: desired };
  },
  satisfiedBy: (desired, pending) => compareEngineVersions(desired, pending) === 'satisfied',
};

/** Interval and role go together: RDS rejects a role with an interval of 0. */
export const monitoringIntervalRule: Comparison<number> = {
  summary: 'exact; not reported: no difference; sent with the role',
  diff: (desired, observed, { desired: d }) =>
    observed !== undefined && observed !== desired
      ? { modification: { monitoringIntervalSeconds: desired, monitoringRoleArn: d.monitoringRoleArn }, from: observed, to: desired }
      : undefined,
};

export const monitoringRoleRule: Comparison<string | undefined> = {
  summary: 'exact while monitoring is on; sent with the interval',
  diff: (desired, observed, { desired: d, observed: o }) => {
    const intervalChanges = o.monitoringIntervalSeconds !== undefined && o.monitoringIntervalSeconds !== d.monitoringIntervalSeconds;
    if (intervalChanges || observed === desired) return undefined;
    return { modification: { monitoringIntervalSeconds: d.monitoringIntervalSeconds, monitoringRoleArn: desired }, from: observed, to: desired };
  },
};

/** Set at creation only; RDS cannot change it in place. */
export function immutable<V>(reportedIfKnown: boolean): Comparison<V> {
  return {
    summary: reportedIfKnown ? 'cannot change: reported, never applied' : 'set at creation only',
    diff: (desired, observed) =>
      reportedIfKnown && observed !== undefined && observed !== desired ? { modification: {}, from: observed, to: desired } : undefined,
  };
}
