export * from './identifiers.js';
export * from './kubernetes-names.js';
export * from './tags.js';
