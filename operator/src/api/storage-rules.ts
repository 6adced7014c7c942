// What RDS for PostgreSQL accepts for storage (CreateDBInstance/ModifyDBInstance: AllocatedStorage, Iops,
// MaxAllocatedStorage), as cross-field rules on spec.primary. Refused here, a person reads which field to change at
// `kubectl apply`; sent to RDS, the same request would only come back as an InvalidParameterCombination.
import type { CelRule } from './cel.js';

/** Provisioned IOPS volumes (io1, io2) start at 100 GiB. */
export const MIN_PROVISIONED_IOPS_STORAGE_GIB = 100;
/** Highest IOPS per GiB: io1 50:1, io2 Block Express 1000:1. */
export const MAX_IOPS_PER_GIB = { io1: 50, io2: 1000 } as const;
/** Below 400 GiB a gp3 volume has a fixed 3000 IOPS baseline; from 400 GiB it is 12000 and can be raised to 64000. */
export const GP3_PROVISIONING_FROM_GIB = 400;
export const GP3_IOPS = { min: 12000, max: 64000 } as const;
/** Storage autoscaling needs a limit at least 10 % above the allocated storage. */
export const MIN_AUTOSCALING_HEADROOM_PERCENT = 10;

export interface StorageFields {
  storageType: string;
  allocatedStorageGiB: number;
  maxAllocatedStorageGiB?: number | undefined;
  iops?: number | undefined;
}

const hundred = 100;
const headroom = hundred + MIN_AUTOSCALING_HEADROOM_PERCENT;

export const storageRules: readonly CelRule<StorageFields>[] = [
  {
    rule: `!has(self.maxAllocatedStorageGiB) || self.maxAllocatedStorageGiB * ${hundred} >= self.allocatedStorageGiB * ${headroom}`,
    message: `maxAllocatedStorageGiB must be at least ${MIN_AUTOSCALING_HEADROOM_PERCENT} % above allocatedStorageGiB (RDS storage autoscaling needs the headroom); raise it or leave it unset`,
    fieldPath: '.maxAllocatedStorageGiB',
    holds: (p) => p.maxAllocatedStorageGiB === undefined || p.maxAllocatedStorageGiB * hundred >= p.allocatedStorageGiB * headroom,
  },
  {
    rule: `!(self.storageType in ['io1', 'io2']) || self.allocatedStorageGiB >= ${MIN_PROVISIONED_IOPS_STORAGE_GIB}`,
    message: `storageType io1 and io2 need allocatedStorageGiB of at least ${MIN_PROVISIONED_IOPS_STORAGE_GIB}`,
    fieldPath: '.allocatedStorageGiB',
    holds: (p) => !(p.storageType === 'io1' || p.storageType === 'io2') || p.allocatedStorageGiB >= MIN_PROVISIONED_IOPS_STORAGE_GIB,
  },
  ...(['io1', 'io2'] as const).map((type): CelRule<StorageFields> => ({
    rule: `self.storageType != '${type}' || !has(self.iops) || self.iops <= self.allocatedStorageGiB * ${MAX_IOPS_PER_GIB[type]}`,
    message: `with storageType ${type}, iops can be at most ${MAX_IOPS_PER_GIB[type]} per GiB of allocatedStorageGiB; lower iops or grow the storage`,
    fieldPath: '.iops',
    holds: (p) => p.storageType !== type || p.iops === undefined || p.iops <= p.allocatedStorageGiB * MAX_IOPS_PER_GIB[type],
  })),
  {
    rule: `self.storageType != 'gp3' || !has(self.iops) || self.allocatedStorageGiB >= ${GP3_PROVISIONING_FROM_GIB}`,
    message: `with storageType gp3, iops can be set only from allocatedStorageGiB ${GP3_PROVISIONING_FROM_GIB} (below it RDS provides a fixed 3000 IOPS); remove iops or grow the storage`,
    fieldPath: '.iops',
    holds: (p) => p.storageType !== 'gp3' || p.iops === undefined || p.allocatedStorageGiB >= GP3_PROVISIONING_FROM_GIB,
  },
  {
    rule:
      `self.storageType != 'gp3' || !has(self.iops) || self.allocatedStorageGiB < ${GP3_PROVISIONING_FROM_GIB} || ` +
      `(self.iops >= ${GP3_IOPS.min} && self.iops <= ${GP3_IOPS.max})`,
    message: `with storageType gp3 from ${GP3_PROVISIONING_FROM_GIB} GiB, iops must be ${GP3_IOPS.min} (the baseline) to ${GP3_IOPS.max}`,
    fieldPath: '.iops',
    holds: (p) =>
      p.storageType !== 'gp3' ||
      p.iops === undefined ||
      p.allocatedStorageGiB < GP3_PROVISIONING_FROM_GIB ||
      (p.iops >= GP3_IOPS.min && p.iops <= GP3_IOPS.max),
  },
];
