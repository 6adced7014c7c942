// Crash points as data: which calls of a reference run a crash run stops at. Pure, unit-tested.
import { isMutating, type JournalEntry } from '../env/rds-world/journal.js';

/** A call by its operation and rank among that operation's calls (identifiers change with the namespace). */
export interface CrashPoint {
  operation: string;
  nth: number;
  phase: 'before' | 'after';
}

export function mutatingCalls(journal: readonly JournalEntry[], fromSeq: number): CrashPoint[] {
  const rank = new Map<string, number>();
  const out: CrashPoint[] = [];
  for (const e of journal) {
    if (e.seq <= fromSeq || !isMutating(e) || !e.executed || e.outcome !== 'ok') continue;
    const nth = (rank.get(e.operation) ?? 0) + 1;
    rank.set(e.operation, nth);
    out.push({ operation: e.operation, nth, phase: 'after' });
  }
  return out;
}

export const describePoint = (p: CrashPoint) => `${p.phase} ${p.operation}${p.nth > 1 ? ` #${p.nth}` : ''}`;
