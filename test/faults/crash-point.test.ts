import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../env/rds-world/journal.js';
import { describePoint, mutatingCalls } from './crash-point.js';

const call = (seq: number, operation: string, outcome = 'ok', executed = true): JournalEntry => ({
  seq,
  at: seq,
  durationMs: 0,
  operation,
  identifiers: [`id-${seq}`],
  process: 'p',
  status: 200,
  outcome,
  executed,
});

describe('mutatingCalls', () => {
  it('ranks each executed mutating call within its operation, after the mark, skipping reads and failures', () => {
    const journal = [
      call(1, 'CreateDBInstance'),
      call(2, 'DescribeDBInstances'),
      call(3, 'CreateDBInstanceReadReplica', 'Throttling', false),
      call(4, 'CreateDBInstanceReadReplica'),
      call(5, 'CreateDBInstanceReadReplica', 'InvalidDBInstanceState'),
      call(6, 'CreateDBInstanceReadReplica'),
      call(7, 'DeleteDBInstance'),
    ];
    expect(mutatingCalls(journal, 0).map(describePoint)).toEqual([
      'after CreateDBInstance',
      'after CreateDBInstanceReadReplica',
      'after CreateDBInstanceReadReplica #2',
      'after DeleteDBInstance',
    ]);
    expect(mutatingCalls(journal, 6)).toEqual([{ operation: 'DeleteDBInstance', nth: 1, phase: 'after' }]);
  });
});
