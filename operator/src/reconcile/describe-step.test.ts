import { describe, expect, it } from 'vitest';
import { describeStep } from './describe-step.js';

describe('describeStep of a replica deletion', () => {
  const base = { kind: 'deleteInstance', identifier: 'prod-servio-r2', role: 'replica', finalSnapshot: 'skip', why: 'scale-down' } as const;

  it('names what released the drain, for the Event', () => {
    expect(describeStep({ ...base, drainRelease: 'ConnectionsQuiet' })).toBe(
      'delete replica prod-servio-r2 (scale-down; no final snapshot; drain released by ConnectionsQuiet: its connections stayed at or below routing.drainConnectionFloor for routing.drainQuietSeconds)',
    );
    expect(describeStep({ ...base, drainRelease: 'MaxDrainSeconds' })).toContain('drain released by MaxDrainSeconds: the drain maximum was reached');
  });

  it('says nothing of a drain when there was none', () => {
    expect(describeStep(base)).toBe('delete replica prod-servio-r2 (scale-down; no final snapshot)');
  });
});
