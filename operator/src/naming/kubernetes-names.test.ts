import { describe, expect, it } from 'vitest';
import { ADOPT_ANNOTATION, credentialsSecretName, endpointsConfigMapName, isAdoptionAllowed } from './kubernetes-names.js';

describe('Kubernetes object names', () => {
  it('default to <name>-credentials and <name>-endpoints', () => {
    expect(credentialsSecretName('servio', '')).toBe('servio-credentials');
    expect(endpointsConfigMapName('servio', '')).toBe('servio-endpoints');
  });

  it('take the spec name when set', () => {
    expect(credentialsSecretName('servio', 'servio-db-credentials')).toBe('servio-db-credentials');
    expect(endpointsConfigMapName('servio', 'routing')).toBe('routing');
  });

  it('stay within 253 characters for the longest object name, deterministically', () => {
    const name = `${'a'.repeat(120)}.${'b'.repeat(132)}`;
    const secret = credentialsSecretName(name, '');
    expect(secret.length).toBeLessThanOrEqual(253);
    expect(secret).toMatch(/^[a-z0-9][-a-z0-9.]*-credentials$/);
    expect(secret).toBe(credentialsSecretName(name, ''));
    expect(secret).not.toBe(credentialsSecretName(`${name.slice(0, -1)}c`, ''));
    expect(endpointsConfigMapName(name, '').length).toBeLessThanOrEqual(253);
  });
});

describe('isAdoptionAllowed', () => {
  it('needs the annotation set to "true" exactly', () => {
    expect(isAdoptionAllowed({ [ADOPT_ANNOTATION]: 'true' })).toBe(true);
    expect(isAdoptionAllowed({ [ADOPT_ANNOTATION]: 'yes' })).toBe(false);
    expect(isAdoptionAllowed({ [ADOPT_ANNOTATION]: 'TRUE' })).toBe(false);
    expect(isAdoptionAllowed({})).toBe(false);
  });
});
