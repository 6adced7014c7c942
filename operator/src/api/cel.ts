import type { z } from 'zod';

/**
 * A cross-field rule, declared once and enforced twice: `rule` is CEL that the API server evaluates at admission
 * (it lands in the CRD as `x-kubernetes-validations`), `holds` is the same predicate in TypeScript, which the
 * operator's parse runs. The unit tests and the admission tests hold the two to the same verdicts.
 */
export interface CelRule<T> {
  rule: string;
  message: string;
  /** Relative to the node the rule sits on (`.monitoringRoleArn`): the field the error names. */
  fieldPath?: `.${string}`;
  holds: (self: T) => boolean;
}

/** The `x-kubernetes-validations` entry, as the API server reads it. */
export interface ValidationRule {
  rule: string;
  message: string;
  fieldPath?: string;
}

export function withCelRules<S extends z.ZodType>(schema: S, rules: readonly CelRule<z.output<S>>[]): S {
  const validations: ValidationRule[] = rules.map(({ rule, message, fieldPath }) =>
    fieldPath === undefined ? { rule, message } : { rule, message, fieldPath },
  );
  return schema
    .superRefine((value, ctx) => {
      for (const r of rules) {
        if (r.holds(value)) continue;
        ctx.addIssue({ code: 'custom', message: r.message, path: r.fieldPath?.slice(1).split('.') ?? [] });
      }
    })
    .meta({ 'x-kubernetes-validations': validations });
}
