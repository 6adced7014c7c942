// Which calls fail, how and how slowly: a pure decision from the scenario's fault plan, a seeded random source
// (so a failing run can be repeated) and the call. The proxy only carries the decision out.
import type { QueryParams } from './query.js';

/** An error RDS answers for reasons outside the spec, scripted for chosen calls and a window of time. */
export interface ScriptedError {
  /** e.g. CreateDBInstance; '*' for every RDS call. */
  operation: string;
  code:
    | 'InsufficientDBInstanceCapacity'
    | 'InstanceQuotaExceeded'
    | 'KMSKeyNotAccessibleFault'
    | 'DBSubnetGroupNotFoundFault'
    | 'AccessDenied'
    | 'Throttling'
    | 'InternalFailure';
  /** Only calls whose parameters have these values (e.g. `{ DBInstanceClass: 'db.r6g.large' }`). */
  match?: QueryParams;
  /** Window in ms since the plan was installed; unset = from the start / forever. */
  fromMs?: number;
  untilMs?: number;
  /** At most this many times. */
  times?: number;
  message?: string;
}

export interface FaultPlan {
  /** Share of RDS calls answered `400 Throttling`, 0..1. */
  throttleRate: number;
  /** Share of RDS calls answered 500/503, 0..1. */
  serverErrorRate: number;
  /** Added latency by operation, with `default` for the rest. */
  latencyMs: Record<string, number>;
  scripted: ScriptedError[];
  seed: number;
}

export const NO_FAULTS: FaultPlan = { throttleRate: 0, serverErrorRate: 0, latencyMs: {}, scripted: [], seed: 1 };

export type FaultDecision =
  | { kind: 'pass'; delayMs: number }
  | { kind: 'error'; delayMs: number; status: number; code: string; message: string; cause: 'throttle' | 'server-error' | 'scripted' };

const STATUS: Record<string, number> = {
  Throttling: 400,
  InsufficientDBInstanceCapacity: 400,
  InstanceQuotaExceeded: 400,
  KMSKeyNotAccessibleFault: 400,
  DBSubnetGroupNotFoundFault: 404,
  AccessDenied: 403,
  InternalFailure: 500,
};

const MESSAGES: Record<string, string> = {
  Throttling: 'Rate exceeded',
  InsufficientDBInstanceCapacity:
    'Cannot create a database instance because there is no available capacity for the requested DB instance class in the Availability Zone.',
  InstanceQuotaExceeded: 'The request would result in the user exceeding the allowed number of DB instances.',
  KMSKeyNotAccessibleFault: 'The specified KMS key is not accessible.',
  DBSubnetGroupNotFoundFault: 'DB subnet group not found.',
  AccessDenied: 'User is not authorized to perform this action.',
  InternalFailure: 'An internal error has occurred.',
};

/** mulberry32: small, fast and good enough to spread faults; the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultScheduler {
  private readonly random: () => number;
  private readonly used = new Map<ScriptedError, number>();

  constructor(
    readonly plan: FaultPlan,
    private readonly installedAt: number,
  ) {
    this.random = seededRandom(plan.seed);
  }

  decide(operation: string, params: QueryParams, now: number): FaultDecision {
    const delayMs = this.plan.latencyMs[operation] ?? this.plan.latencyMs.default ?? 0;
    const sinceStart = now - this.installedAt;
    for (const rule of this.plan.scripted) {
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.fromMs !== undefined && sinceStart < rule.fromMs) continue;
      if (rule.untilMs !== undefined && sinceStart >= rule.untilMs) continue;
      if (rule.match && Object.entries(rule.match).some(([k, v]) => params[k] !== v)) continue;
      const count = this.used.get(rule) ?? 0;
      if (rule.times !== undefined && count >= rule.times) continue;
      this.used.set(rule, count + 1);
      return {
        kind: 'error',
        delayMs,
        status: STATUS[rule.code] ?? 400,
        code: rule.code,
        message: rule.message ?? MESSAGES[rule.code] ?? rule.code,
        cause: 'scripted',
      };
    }
    // Two draws per call whatever the outcome, so one rate does not shift the other's sequence.
    const throttleDraw = this.random();
    const serverDraw = this.random();
    if (throttleDraw < this.plan.throttleRate) {
      return { kind: 'error', delayMs, status: 400, code: 'Throttling', message: MESSAGES.Throttling!, cause: 'throttle' };
    }
    if (serverDraw < this.plan.serverErrorRate) {
      const unavailable = serverDraw < this.plan.serverErrorRate / 2;
      return unavailable
        ? { kind: 'error', delayMs, status: 503, code: 'ServiceUnavailable', message: 'Service unavailable', cause: 'server-error' }
        : { kind: 'error', delayMs, status: 500, code: 'InternalFailure', message: MESSAGES.InternalFailure!, cause: 'server-error' };
    }
    return { kind: 'pass', delayMs };
  }
}
