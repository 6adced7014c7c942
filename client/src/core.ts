// The routing state every call reads: the current topology and its endpoints, kept in line with each new
// revision. Reads (reads.ts) and primary work (writes.ts) run on it; ReplicaRouter, Session and RoutedPool
// are thin fronts over those.
import { isEligible, pickRoundRobin, type ReadRequirement } from './eligibility.js';
import type { Endpoint } from './endpoint.js';
import { now } from './clock.js';
import { EndpointError, RouterClosedError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { endpointSpecs, planEndpoints, type EndpointSpec, type EndpointState } from './endpoint-plan.js';
import { Reads } from './reads.js';
import { ReplayWait } from './replay-wait.js';
import type { RoutingState } from './routing-state.js';
import type { EndpointCounters, ReadYourWritesCounts } from './stats.js';
import { Writes } from './writes.js';
import type { Topology } from '@servio/replicasetdb-contract';

export interface CoreEvents {
  error(err: Error): void;
}

export type EndpointFactory = (spec: EndpointSpec, onConnectionLost: (err: Error) => void) => Endpoint;

/** Queries close() cut on one endpoint. */
export interface CutQueries {
  id: string;
  role: 'primary' | 'replica';
  inFlight: number;
}

export class RouterCore implements RoutingState {
  topology!: Topology;
  primary!: Endpoint;
  /** Replicas still published (active or draining), in topology order. */
  replicas: Endpoint[] = [];
  walBlockSize = 8192n;
  closed = false;
  readonly fallback = { inFlight: 0, total: 0, rejected: 0 };
  readonly readYourWrites: ReadYourWritesCounts = { onReplica: 0, onPrimary: 0, afterWait: 0, checkedWithRead: 0, discarded: 0, sharedPosition: 0 };
  readonly reads: Reads;
  readonly replayWait: ReplayWait;
  readonly writes: Writes;
  #byKey = new Map<string, Endpoint>();
  /** The counters of each endpoint id and role, kept across endpoints that replace one another. */
  #countersByName = new Map<string, EndpointCounters>();
  /** Endpoints retired whose pools have not ended yet. */
  #retiring = new Set<Endpoint>();
  #cursor = 0;

  constructor(
    topology: Topology,
    readonly options: ResolvedOptions,
    private readonly makeEndpoint: EndpointFactory,
    private readonly events: CoreEvents,
  ) {
    this.replayWait = new ReplayWait(this);
    this.reads = new Reads(this, this.replayWait);
    this.writes = new Writes(this);
    this.applyTopology(topology);
  }

  /** Brings endpoints in line with `next` (already validated and judged newer). */
  applyTopology(next: Topology): void {
    // Retired endpoints have already left #byKey: every state here is active or draining.
    const current = new Map([...this.#byKey].map(([key, ep]) => [key, ep.state as EndpointState]));
    const plan = planEndpoints(current, next);
    for (const spec of plan.create) {
      const ep = this.makeEndpoint(spec, (err) => this.reportFailure(ep, err));
      const name = `${spec.role}:${spec.id}`;
      const counters = this.#countersByName.get(name);
      if (counters === undefined) this.#countersByName.set(name, ep.counters);
      else ep.continueCounters(counters);
      this.#byKey.set(spec.key, ep);
    }
    for (const { key, state } of plan.update) {
      const ep = this.#byKey.get(key);
      if (ep) ep.state = state;
    }
    for (const key of plan.retire) {
      const ep = this.#byKey.get(key);
      if (!ep) continue;
      this.#byKey.delete(key);
      this.#track(ep);
    }
    const specs = endpointSpecs(next);
    const byKey = (spec: EndpointSpec) => this.#byKey.get(spec.key) as Endpoint;
    this.primary = byKey(specs[0] as EndpointSpec);
    this.replicas = specs.slice(1).map(byKey);
    this.topology = next;
  }

  #track(ep: Endpoint): void {
    this.#retiring.add(ep);
    void ep.retire().finally(() => this.#retiring.delete(ep));
  }

  /** Marks an endpoint failed; reports it once per outage. A closing router reports nothing: the connections it
   * loses then are the ones close() ends or cuts. */
  reportFailure(ep: Endpoint, err: unknown): void {
    if (this.closed) return;
    if (ep.markFailed(err, now()) && ep.state !== 'removed') this.events.error(new EndpointError(ep.id, ep.spec.role, err));
  }

  assertOpen(): void {
    if (this.closed) throw new RouterClosedError();
  }

  pickReplica(need: ReadRequirement, exclude: ReadonlySet<Endpoint> = new Set()): Endpoint | undefined {
    const picked = pickRoundRobin(this.replicas, this.#cursor, (ep) => !exclude.has(ep) && isEligible(ep, need));
    if (!picked) return undefined;
    this.#cursor = picked.next;
    return picked.item;
  }

  /** Ends every pool after its in-flight queries. */
  async close(): Promise<void> {
    this.closed = true;
    // A read that fails on a replica moves to another endpoint in the same tick, so the endpoints are ended
    // only once none of them has work: ending them one by one could end the one the retry is about to use.
    while ([...this.#byKey.values()].some((ep) => ep.inFlight > 0)) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const ep of this.#byKey.values()) this.#track(ep);
    this.#byKey.clear();
    while (this.#retiring.size > 0) await Promise.allSettled([...this.#retiring].map((ep) => ep.retire()));
  }

  /** For a close() out of time: destroys every connection of every endpoint, failing the queries still running;
   * reports the endpoints that had some. */
  cut(): CutQueries[] {
    const cut: CutQueries[] = [];
    for (const ep of new Set([...this.#byKey.values(), ...this.#retiring])) {
      const inFlight = ep.cut();
      if (inFlight > 0) cut.push({ id: ep.id, role: ep.spec.role, inFlight });
    }
    return cut;
  }
}
