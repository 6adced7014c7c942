// The validated configuration. Input is text (flags and environment variables are strings); every field is
// parsed and range-checked here, so the rest of the operator never sees an unchecked value.
import { z } from 'zod';
import { parseDuration } from './duration.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `expected an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected an integer between ${min} and ${max}`).max(max, `expected an integer between ${min} and ${max}`));
}

function duration(minMs: number, maxMs: number, hint: string) {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 15s, 2m or 1h' });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `expected a duration ${hint}` });
      return z.NEVER;
    }
    return ms;
  });
}

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'expected true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const namespaces = z
  .string()
  .transform((text) => [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ])
  .pipe(
    z.array(
      z
        .string()
        .max(63, 'a namespace name has at most 63 characters')
        .regex(DNS1123_LABEL, 'expected namespace names (lowercase letters, digits and hyphens) separated by commas'),
    ),
  );

const awsRegion = z
  .string({ error: 'is required (the AWS region of the RDS instances, e.g. us-east-1)' })
  .trim()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as us-east-1');

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional());

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v));

/** Raw text by setting key; a missing key takes the default. */
export const configSchema = z
  .object({
    watchNamespaces: namespaces.default([]),
    // Off by default: in a shared account an annotation alone must not let a tenant take over an instance.
    adoptNamespaces: namespaces.default([]),
    concurrency: integer(1, 64).default(4),
    awsRegion,
    awsEndpoint: optionalUrl.optional(),
    logLevel: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    metricsBindAddress: z.string().trim().min(1, 'must not be empty').default('0.0.0.0'),
    metricsPort: integer(0, 65535).default(8080),
    leaderElect: boolean.default(false),
    leaseName: z
      .string()
      .trim()
      .max(253)
      .regex(DNS1123_SUBDOMAIN, 'expected a DNS subdomain name (lowercase letters, digits, - and .)')
      .default('replicasetdb-operator'),
    leaseNamespace: optionalText.pipe(z.string().max(63).regex(DNS1123_LABEL, 'expected a namespace name').optional()).optional(),
    // Defaults are client-go's: a standby takes over 15 s after it first saw the leader's last renewal, at its next
    // retry; it sees renewals every retry period (2 s, jittered by up to 20 %), so at most about 20 s after the
    // leader stopped renewing.
    leaseDuration: duration(1000, 3_600_000, 'between 1s and 1h').default(15_000),
    renewDeadline: duration(500, 3_600_000, 'between 500ms and 1h').default(10_000),
    retryPeriod: duration(100, 600_000, 'between 100ms and 10m').default(2_000),
    identity: optionalText.optional(),
    resyncSteady: duration(1000, 86_400_000, 'between 1s and 24h').default(600_000),
    resyncTransitioning: duration(1000, 3_600_000, 'between 1s and 1h').default(15_000),
    awsActionRetry: duration(10_000, 86_400_000, 'between 10s and 24h').default(300_000),
    shutdownTimeout: duration(0, 600_000, 'between 0s and 10m').default(25_000),
    kubeconfig: optionalText.optional(),
  })
  // A transform runs only when every field parsed (zod pipes stop at the first failing side), so these checks
  // never compare a value that is itself invalid.
  .transform((c, ctx) => {
    // The same ordering client-go's leader election enforces: a leader must give up before a standby may take
    // over, or two replicas could act at once.
    if (c.renewDeadline >= c.leaseDuration) {
      ctx.addIssue({ code: 'custom', path: ['renewDeadline'], message: 'must be shorter than the lease duration' });
    }
    // Retries are jittered by up to 20%: the last retry before the deadline must still fit in it.
    if (c.retryPeriod * 1.2 >= c.renewDeadline) {
      ctx.addIssue({
        code: 'custom',
        path: ['retryPeriod'],
        message: 'must be less than the renew deadline divided by 1.2 (retries are jittered by up to 20%)',
      });
    }
    // The Lease stores its duration in whole seconds (spec.leaseDurationSeconds).
    if (c.leaseDuration % 1000 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['leaseDuration'], message: 'must be a whole number of seconds' });
    }
    if (c.resyncTransitioning > c.resyncSteady) {
      ctx.addIssue({ code: 'custom', path: ['resyncTransitioning'], message: 'must not be longer than the steady resync interval' });
    }
    if (c.leaderElect && c.leaseNamespace === undefined) {
      ctx.addIssue({ code: 'custom', path: ['leaseNamespace'], message: 'is required when leader election is on (the Helm chart sets POD_NAMESPACE)' });
    }
    return c;
  });

export type OperatorConfig = z.output<typeof configSchema>;
