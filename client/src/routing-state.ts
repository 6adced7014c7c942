// What reads, writes and replay waits need of the router's state (core.ts implements it), so that they depend on
// this interface and not on the class that creates them.
import type { ReadRequirement } from './eligibility.js';
import type { Endpoint } from './endpoint.js';
import type { ResolvedOptions } from './options.js';
import type { ReadYourWritesCounts } from './stats.js';

export interface RoutingState {
  readonly primary: Endpoint;
  /** Replicas still published (active or draining), in topology order. */
  readonly replicas: readonly Endpoint[];
  readonly walBlockSize: bigint;
  readonly closed: boolean;
  readonly options: ResolvedOptions;
  readonly fallback: { inFlight: number; total: number; rejected: number };
  readonly readYourWrites: ReadYourWritesCounts;
  assertOpen(): void;
  /** Marks an endpoint failed; reports it once per outage. */
  reportFailure(ep: Endpoint, err: unknown): void;
  pickReplica(need: ReadRequirement, exclude?: ReadonlySet<Endpoint>): Endpoint | undefined;
}
