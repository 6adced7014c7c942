// Compact views of a plan for table-driven assertions.
import { stepSubject } from '../describe-step.js';
import type { Observed } from '../observed.js';
import { planReconcile, type PlanOptions } from '../plan/plan.js';
import type { Plan, Step } from '../plan/types.js';
import type { RdsInstance } from '../../rds/port.js';
import { aWorld, type ReplicaSetDBBuilder } from './fixtures.js';

export const NOW = new Date('2026-11-26T16:00:00Z');

/** The plan of the RDS work: the tables using this leave publication out, which publication.test.ts covers. */
export function plan(observed: Observed, options: Partial<PlanOptions> = {}): Plan {
  return planReconcile(observed, { now: NOW, topology: undefined, ...options });
}

/** The plan for `db` in a world in sync but for its primary, which differs from the spec by `primary`. */
export function planWithPrimary(db: ReplicaSetDBBuilder, primary: Partial<RdsInstance>): Plan {
  return plan(aWorld(db).inSync().withPrimary(primary).build());
}

/** `kind subject` per step, e.g. `createReplica prod-servio-r2`. */
export function stepsOf(p: Plan): string[] {
  return p.steps.map((s) => `${s.kind} ${stepSubject(s)}`);
}

export function stepOf<K extends Step['kind']>(p: Plan, kind: K, subject?: string): Extract<Step, { kind: K }> {
  const found = p.steps.find((s): s is Extract<Step, { kind: K }> => s.kind === kind && (subject === undefined || stepSubject(s) === subject));
  if (found === undefined) throw new Error(`no ${kind} step${subject ? ` for ${subject}` : ''} in [${stepsOf(p).join(', ')}]`);
  return found;
}
