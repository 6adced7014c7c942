// Creating the primary: the credentials Secret first (so the password exists before anything uses it), then
// the instance. Replicas are created in scale.ts, once the primary is available.
import type { ReplicaSetDBSpec } from '../../api/index.js';
import type { Observed } from '../observed.js';
import { desiredPrimary } from './desired.js';
import type { Plan } from './types.js';

export function planPrimaryCreation(plan: Plan, observed: Observed, spec: ReplicaSetDBSpec): void {
  const names = observed.names;
  // A Secret that exists is used as it is, so a password a person put there (or an earlier run generated) is
  // never replaced: the instance would be created with a password nobody knows.
  if (observed.credentials().state === 'absent') {
    plan.steps.push({ kind: 'createCredentials', secret: names.secret, username: spec.masterUsername });
  }
  plan.steps.push({ kind: 'createPrimary', blueprint: desiredPrimary(spec, names), secret: names.secret });
  plan.waits.push({ subject: names.primary, message: `${names.primary} is being created` });
  if (spec.replicas.count > 0) {
    plan.waits.push({ subject: names.primary, message: `${spec.replicas.count} replica(s) are created once ${names.primary} is available` });
  }
}
