import { describe, expect, it } from 'vitest';
import { disruptionOf, disruptionOfField, waitsForMaintenanceWindow } from './disruption.js';
import { settingRows } from './values.js';

describe('disruptionOf', () => {
  it('is none for no change and for changes that do not touch the running database', () => {
    expect(disruptionOf([])).toBe('none');
    expect(disruptionOf([{ field: 'deletionProtection' }, { field: 'maintenanceWindow' }, { field: 'parameterGroupName' }])).toBe('none');
  });

  it('is the worst disruption among the changes of one modification', () => {
    expect(disruptionOf([{ field: 'multiAZ' }])).toBe('brief-io-pause');
    expect(disruptionOf([{ field: 'deletionProtection' }, { field: 'instanceClass' }, { field: 'multiAZ' }])).toBe('reboot');
    expect(disruptionOf([{ field: 'storageEncrypted' }, { field: 'instanceClass' }])).toBe('replacement');
  });

  it('reads each field from its row', () => {
    expect(disruptionOfField('engineVersion')).toBe('reboot');
    expect(disruptionOfField('not-a-setting')).toBe('none');
  });
});

describe('waitsForMaintenanceWindow', () => {
  it('is true when one change waits for the window without applyImmediately', () => {
    expect(waitsForMaintenanceWindow([{ field: 'securityGroupIds' }, { field: 'instanceClass' }])).toBe(true);
    expect(waitsForMaintenanceWindow([{ field: 'securityGroupIds' }, { field: 'backupWindow' }])).toBe(false);
  });
});

describe('the settings table', () => {
  it('never lets a setting RDS cannot change in place reach a ModifyDBInstance', () => {
    const replaced = settingRows().filter((r) => r.disruption === 'replacement');
    expect(replaced.map((r) => r.key)).toEqual(expect.arrayContaining(['storageEncrypted', 'databaseName', 'masterUsername']));
    for (const r of replaced) expect(r.modify, r.key).toBeUndefined();
  });

  it('has one row per setting', () => {
    const keys = settingRows().map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
