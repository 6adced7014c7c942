// The public surface of the ReplicaSetDB API, for the operator and the tests.
export * from './replicasetdb.js';
export * from './spec.js';
export * from './status.js';
export { validateSpecTransition, transitionRules, type TransitionRule } from './transition.js';
export { buildCrd, type CustomResourceDefinition } from './crd.js';
export { describeFieldErrors, type FieldError } from './field-error.js';
