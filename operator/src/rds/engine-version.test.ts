import { describe, expect, it } from 'vitest';
import { compareEngineVersions, parameterGroupFamily, parseEngineVersion, type EngineVersionVerdict } from './engine-version.js';

describe('parameterGroupFamily', () => {
  it.each([
    ['15.4', 'postgres15'],
    ['16', 'postgres16'],
    ['17.2', 'postgres17'],
    ['10.21', 'postgres10'],
    ['9.6.24', 'postgres9.6'],
    ['9.6', 'postgres9.6'],
    ['11.22-rds.20240418', 'postgres11'],
  ])('%s -> %s', (version, family) => {
    expect(parameterGroupFamily(version)).toBe(family);
  });

  it('rejects text that is not a version', () => {
    expect(parseEngineVersion('15.x')).toBeUndefined();
    expect(() => parameterGroupFamily('latest')).toThrow();
  });
});

describe('compareEngineVersions(desired, observed)', () => {
  const cases: Array<[string, string, EngineVersionVerdict]> = [
    ['15.4', '15.4', 'satisfied'],
    ['15.4', '15.6', 'satisfied'], // RDS upgraded the minor on its own: not fought
    ['15', '15.6', 'satisfied'], // major only: any minor will do
    ['16', '16.1', 'satisfied'],
    ['15.6', '15.4', 'minor-upgrade'],
    ['15.10', '15.9', 'minor-upgrade'], // numeric, not lexical
    ['16.2', '15.6', 'major-upgrade'],
    ['16', '15.6', 'major-upgrade'],
    ['15.4', '16.1', 'downgrade'],
    ['10.21', '9.6.24', 'major-upgrade'],
    ['9.6.24', '9.6.22', 'minor-upgrade'],
    ['9.6', '10.4', 'downgrade'],
    ['11.22', '11.22-rds.20240418', 'satisfied'], // an Extended Support build of the same minor
    ['11', '11.22-rds.20240418', 'satisfied'],
  ];

  it.each(cases)('wants %s, runs %s -> %s', (desired, observed, verdict) => {
    expect(compareEngineVersions(desired, observed)).toBe(verdict);
  });
});
