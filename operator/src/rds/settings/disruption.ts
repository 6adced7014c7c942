// What a planned change does to the running database, for a plan shown to a person before it is applied.
import type { Disruption } from './row.js';
import { DISRUPTIONS } from './row.js';
import { rowOf } from './values.js';

/** The disruption of one setting's change; a field outside the table (the parameter group) causes none by itself. */
export function disruptionOfField(field: string): Disruption {
  return rowOf(field)?.disruption ?? 'none';
}

/** The worst disruption among the changes of one ModifyDBInstance (e.g. a step's `delta`). */
export function disruptionOf(changes: ReadonlyArray<{ field: string }>): Disruption {
  let worst = 0;
  for (const c of changes) worst = Math.max(worst, DISRUPTIONS.indexOf(disruptionOfField(c.field)));
  return DISRUPTIONS[worst] ?? 'none';
}

/** Whether RDS holds these changes for the maintenance window when ApplyImmediately is off. */
export function waitsForMaintenanceWindow(changes: ReadonlyArray<{ field: string }>): boolean {
  return changes.some((c) => rowOf(c.field)?.waitsForMaintenanceWindow === true);
}
