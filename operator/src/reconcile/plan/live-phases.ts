// The order of a live object's plan, read in one place: each phase is one concern's rule (phase.ts), and a phase
// that stops ends the plan there. The object's deletion has its own list (delete.ts).
import { findBlocker } from './blockers.js';
import { planPrimaryCreation } from './create.js';
import { planCredentials } from './credentials.js';
import { planModifications } from './modify.js';
import { planParameterGroup, planRetiredParameterGroups } from './parameters.js';
import type { PlanPhase } from './phase.js';
import { planReplicaSet } from './scale.js';
import { planInstanceTags } from './tags.js';
import { publicationSteps } from './publication.js';

/** Before anything exists in AWS, so cleanup is guaranteed to run for whatever is created next. */
const finalizer: PlanPhase = (plan, observed) => {
  if (!observed.hasFinalizer()) plan.steps.push({ kind: 'addFinalizer' });
};

/** Before any DeleteDBInstance of the same pass, so a replica is draining in the ConfigMap before its deletion is
 * asked for; and ahead of the blocker, so a draining replica stays withdrawn while a blocker holds every other change. */
const topologyPublication: PlanPhase = (plan, observed, { topology }) => {
  if (topology !== undefined) plan.steps.push(...publicationSteps(topology, observed));
};

const blocker: PlanPhase = (plan, observed) => {
  const found = findBlocker(observed);
  if (found === undefined) return;
  plan.blocker = found;
  return 'stop';
};

/** Before the primary: CreateDBInstance names the group. */
const parameterGroup: PlanPhase = (plan, observed) => planParameterGroup(plan, observed, observed.spec!);

const credentials: PlanPhase = (plan, observed) => planCredentials(plan, observed);

const primaryCreation: PlanPhase = (plan, observed) => {
  if (observed.primary() !== undefined) return;
  planPrimaryCreation(plan, observed, observed.spec!);
  return 'stop';
};

const tags: PlanPhase = (plan, observed) => planInstanceTags(plan, observed, observed.spec!);

const primaryDeletedElsewhere: PlanPhase = (plan, observed) => {
  const primary = observed.primary()!;
  if (primary.status !== 'deleting') return;
  plan.waits.push({ subject: primary.identifier, message: `${primary.identifier} is being deleted outside the operator` });
  return 'stop';
};

/** Creations and deletions before modifications: a replica is created from an available primary, and a
 * ModifyDBInstance sent to the primary first would make it `modifying` and the creation be refused. */
const replicaSet: PlanPhase = (plan, observed, { retirementGate, now }) =>
  planReplicaSet(plan, observed, observed.spec!, observed.primary()!, retirementGate, now);

const modifications: PlanPhase = (plan, observed, { now }) => planModifications(plan, observed, observed.spec!, observed.primary()!, now);

/** Last: housekeeping after a major upgrade, never ahead of a change the spec asks for. */
const retiredParameterGroups: PlanPhase = (plan, observed) => planRetiredParameterGroups(plan, observed);

export const LIVE_PHASES: readonly PlanPhase[] = [
  finalizer,
  topologyPublication,
  blocker,
  parameterGroup,
  credentials,
  primaryCreation,
  tags,
  primaryDeletedElsewhere,
  replicaSet,
  modifications,
  retiredParameterGroups,
];
