import { describe, expect, it } from 'vitest';
import { SETTING_KEYS, settingByKey, SETTINGS } from './settings.js';

const names = (key: string) => {
  const s = settingByKey(key);
  return [s?.flag, s?.env];
};

describe('SETTINGS', () => {
  it('names a flag and a variable after the key', () => {
    expect(names('watchNamespaces')).toEqual(['--watch-namespaces', 'WATCH_NAMESPACES']);
    expect(names('metricsBindAddress')).toEqual(['--metrics-bind-address', 'METRICS_BIND_ADDRESS']);
    expect(names('kubeconfig')).toEqual(['--kubeconfig', 'KUBECONFIG']);
  });

  it('keeps the established names where they differ from the key', () => {
    expect(names('awsEndpoint')).toEqual(['--aws-endpoint', 'AWS_ENDPOINT_URL']);
    expect(names('leaseName')).toEqual(['--leader-election-lease-name', 'LEADER_ELECTION_LEASE_NAME']);
    expect(names('leaseNamespace')).toEqual(['--leader-election-namespace', 'LEADER_ELECTION_NAMESPACE']);
    expect(names('identity')).toEqual(['--leader-election-identity', 'POD_NAME']);
    expect(settingByKey('leaderElect')?.boolean).toBe(true);
  });

  it('has one entry per key, each flag and variable used once', () => {
    expect(SETTINGS.map((s) => s.key)).toEqual([...SETTING_KEYS]);
    expect(new Set(SETTINGS.map((s) => s.flag)).size).toBe(SETTINGS.length);
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
  });
});
