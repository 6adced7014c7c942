// A realistic RDS in front of moto: an HTTP proxy that speaks the RDS Query protocol, makes transitions take time
// (lifecycle.ts), injects faults (faults.ts), can hold a call so a test kills the caller around it, and journals
// every call. Non-RDS calls (CloudWatch) pass through untouched. One proxy per test file, in the test's process.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultScheduler, NO_FAULTS, type FaultPlan } from './faults.js';
import type { JournalEntry } from './journal.js';
import * as lifecycle from './lifecycle.js';
import {
  describeInstancesXml,
  describedInstanceIds,
  encodeQuery,
  errorXml,
  identifiersOf,
  instanceFragments,
  isRdsCall,
  mapInstances,
  mapSnapshots,
  modifyInstanceXml,
  parseQuery,
  pendingValuesOf,
  processOf,
  tagsOf,
  withExtraInstances,
  withPendingValues,
  withSnapshotStatus,
  withStatus,
  withoutEndpoint,
  type QueryParams,
} from './query.js';

export interface WorldSettings {
  durations?: Partial<lifecycle.Durations>;
  faults?: Partial<FaultPlan>;
}

/** A call the proxy holds: `before` it reaches the emulator, or `after` the emulator executed it and before the
 * answer goes back. The test decides: `drop` cuts the connection without an answer, `release` carries on. */
export interface HeldCall {
  operation: string;
  phase: 'before' | 'after';
  identifiers: string[];
  process: string | undefined;
  drop(): void;
  release(): void;
}

interface HoldRule {
  operation: string;
  phase: 'before' | 'after';
  /** Only a call naming this identifier first. */
  identifier?: string;
  /** The nth matching call (1 = the next); for `after`, only calls the emulator accepted count. */
  nth?: number;
  /** Only a call from this process (so a restarted operator is not held again by a stale rule). */
  process?: string;
  resolve: (held: HeldCall) => void;
}

interface Upstream {
  status: number;
  body: string;
  contentType: string;
}

const FORWARDED_HEADERS = [
  'content-type',
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'user-agent',
  'x-amz-user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amz-target',
  'x-amz-content-sha256',
  'content-encoding',
  'smithy-protocol',
  'accept',
];

export class RealisticRds {
  readonly journal: JournalEntry[] = [];
  private durations: lifecycle.Durations = lifecycle.INSTANT;
  private faults: FaultScheduler = new FaultScheduler(NO_FAULTS, Date.now());
  private histories = new Map<string, lifecycle.InstanceHistory>();
  private snapshotsTakenAt = new Map<string, number>();
  private passwords = new Map<string, string>();
  private holds: HoldRule[] = [];
  private lastHeaders: Record<string, string> = {};
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly upstream: string,
    readonly endpoint: string,
  ) {}

  static async start(upstream: string, settings: WorldSettings = {}): Promise<RealisticRds> {
    const ready: { world?: RealisticRds } = {};
    const server = createServer(
      (req, res) =>
        void ready.world!.handle(req, res).catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`proxy error: ${String(err)}`);
        }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const world = (ready.world = new RealisticRds(server, upstream, `http://127.0.0.1:${port}`));
    world.configure(settings);
    return world;
  }

  /** A new scenario: durations and faults replace the previous ones (unset = instant, no faults). */
  configure(settings: WorldSettings): void {
    this.durations = { ...lifecycle.INSTANT, ...settings.durations };
    this.faults = new FaultScheduler({ ...NO_FAULTS, ...settings.faults }, Date.now());
  }

  /** Empties the emulator and forgets everything: histories, journal, passwords, holds, faults. */
  async reset(settings: WorldSettings = {}): Promise<void> {
    const res = await fetch(`${this.upstream}/moto-api/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    this.histories.clear();
    this.snapshotsTakenAt.clear();
    this.passwords.clear();
    this.holds = [];
    this.journal.length = 0;
    this.configure(settings);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The MasterUserPassword the last CreateDBInstance (or password change) of this instance carried. */
  masterPasswordOf(identifier: string): string | undefined {
    return this.passwords.get(identifier.toLowerCase());
  }

  /** The maintenance window came: changes sent without ApplyImmediately start applying now. */
  maintenanceWindow(identifier?: string): number {
    let started = 0;
    for (const [id, history] of this.histories)
      if (identifier === undefined || id === identifier.toLowerCase()) started += lifecycle.startMaintenance(history, Date.now());
    return started;
  }

  /** Instances the layer reports in a transitional state right now, with that state. */
  transitioning(): Array<{ identifier: string; status: string }> {
    const now = Date.now();
    const out: Array<{ identifier: string; status: string }> = [];
    for (const [identifier, history] of this.histories) {
      const status = lifecycle.statusAt(history, now, this.durations);
      if (status !== undefined && status !== 'gone') out.push({ identifier, status });
    }
    return out;
  }

  /** Holds the next matching call; resolves when it arrives. */
  hold(operation: string, phase: 'before' | 'after', only: { identifier?: string; process?: string; nth?: number } = {}): Promise<HeldCall> {
    return new Promise((resolve) => this.holds.push({ operation, phase, ...only, resolve }));
  }

  /** Drops hold rules nobody's call matched (end of a scenario). */
  clearHolds(): void {
    this.holds = [];
  }

  private history(id: string): lifecycle.InstanceHistory {
    let h = this.histories.get(id);
    if (!h) this.histories.set(id, (h = lifecycle.newHistory()));
    return h;
  }

  private statusOf(id: string, now: number): string | undefined {
    const h = this.histories.get(id);
    return h ? lifecycle.statusAt(h, now, this.durations) : undefined;
  }

  private async send(body: string, headers: Record<string, string>, path = '/'): Promise<Upstream> {
    const res = await fetch(`${this.upstream}${path}`, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? 'text/xml' };
  }

  private async describeOne(id: string): Promise<string | undefined> {
    const out = await this.send(encodeQuery({ Action: 'DescribeDBInstances', Version: '2014-10-31', DBInstanceIdentifier: id }), this.rdsHeaders());
    return out.status === 200 ? instanceFragments(out.body)[0] : undefined;
  }

  private rdsHeaders(): Record<string, string> {
    return { ...this.lastHeaders, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  }

  /** Sends the emulator the changes whose modifying time is over; done before each call, so every answer sees
   * the world as of now. */
  private async applyDue(now: number): Promise<void> {
    for (const history of this.histories.values()) {
      for (const m of lifecycle.dueModifications(history, now, this.durations)) {
        m.applying = true;
        try {
          await this.send(encodeQuery({ ...parseQuery(m.body), ApplyImmediately: 'true' }), this.rdsHeaders());
          // Calls that read the emulator up to this millisecond may have read it before the change reached it.
          m.appliedAt = Date.now() + 1;
        } finally {
          m.applying = false;
        }
      }
    }
  }

  /** The proxy's view over an answer the emulator gave from `readAt` on: statuses by time, no endpoint while
   * creating, pending values. */
  private overlay(xml: string, now: number, readAt: number): string {
    const rewritten = mapInstances(xml, (fragment, id) => {
      const history = this.histories.get(id);
      if (!history) return fragment;
      let out = fragment;
      const status = lifecycle.statusAt(history, now, this.durations, readAt);
      if (status !== undefined && status !== 'gone') out = withStatus(out, status);
      if (status === 'creating') out = withoutEndpoint(out);
      const pending = lifecycle.pendingValuesAt(history, readAt);
      if (Object.keys(pending).length > 0) out = withPendingValues(out, pending);
      return out;
    });
    return mapSnapshots(rewritten, (fragment, id) => {
      const takenAt = this.snapshotsTakenAt.get(id);
      const status = takenAt === undefined ? undefined : lifecycle.snapshotStatusAt(takenAt, now, this.durations);
      return status === undefined ? fragment : withSnapshotStatus(fragment, status);
    });
  }

  /** Instances the emulator has deleted that RDS would still list as deleting. */
  private stillDeleting(ids: string[] | undefined, listed: string, now: number): string[] {
    const out: string[] = [];
    for (const [id, history] of this.histories) {
      if (ids !== undefined && !ids.includes(id)) continue;
      if (history.lastSeen === undefined || lifecycle.statusAt(history, now, this.durations) !== 'deleting') continue;
      if (listed.includes(`<DBInstanceIdentifier>${id}</DBInstanceIdentifier>`)) continue;
      out.push(history.lastSeen);
    }
    return out;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const text = raw.toString('utf8');
    const params = (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded') ? parseQuery(text) : {};
    const started = Date.now();
    const proc = processOf(req.headers['user-agent']) ?? processOf(req.headers['x-amz-user-agent'] as string | undefined);
    const entry: JournalEntry = {
      seq: ++this.seq,
      at: started,
      durationMs: 0,
      operation: isRdsCall(params) ? params.Action! : `other ${req.url ?? '/'}`,
      identifiers: isRdsCall(params) ? identifiersOf(params) : [],
      process: proc,
      status: 0,
      outcome: 'ok',
      executed: false,
    };
    const finish = (status: number, body: string | Buffer, contentType: string): void => {
      entry.status = status;
      entry.durationMs = Date.now() - started;
      this.journal.push(entry);
      res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
      res.end(body);
    };
    const drop = (): void => {
      entry.dropped = true;
      if (!entry.executed) entry.outcome = 'dropped';
      entry.durationMs = Date.now() - started;
      this.journal.push(entry);
      res.socket?.destroy();
    };

    if (!isRdsCall(params)) {
      const upstream = await fetch(`${this.upstream}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, ...(raw.length > 0 ? { body: raw } : {}) });
      entry.executed = true;
      if (upstream.status >= 400) entry.outcome = `HTTP ${upstream.status}`;
      finish(upstream.status, Buffer.from(await upstream.arrayBuffer()), upstream.headers.get('content-type') ?? 'application/octet-stream');
      return;
    }

    this.lastHeaders = headers;
    const action = params.Action!;
    if (action === 'CreateDBInstance' || action === 'CreateDBInstanceReadReplica') entry.tags = tagsOf(params);
    const requestId = randomUUID();
    const fail = (status: number, code: string, message: string, injected: JournalEntry['injected']): void => {
      entry.outcome = code;
      if (injected !== undefined) entry.injected = injected;
      finish(status, errorXml(code, message, requestId), 'text/xml');
    };

    if ((await this.heldDecision(action, 'before', entry)) === 'drop') return drop();

    const decision = this.faults.decide(action, params, started);
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    if (decision.kind === 'error') return fail(decision.status, decision.code, decision.message, decision.cause);

    const now = Date.now();
    await this.applyDue(now);
    // The emulator is asked from here on: its answers hold every change applied by now, and maybe some applied later.
    const readAt = Date.now();
    const id = params.DBInstanceIdentifier?.toLowerCase();

    // What real RDS refuses because of an instance's state.
    if (id !== undefined && (action === 'CreateDBInstance' || action === 'CreateDBInstanceReadReplica') && this.statusOf(id, now) === 'deleting') {
      return fail(400, 'DBInstanceAlreadyExists', `DB instance already exists: ${id} (deleting)`, 'lifecycle');
    }
    const subject = action === 'CreateDBInstanceReadReplica' ? params.SourceDBInstanceIdentifier?.toLowerCase() : id;
    const refusal = subject !== undefined ? lifecycle.refusalFor(action, this.statusOf(subject, now)) : undefined;
    if (refusal !== undefined) return fail(400, 'InvalidDBInstanceState', `Instance ${subject} ${refusal}`, 'lifecycle');

    // Transitions below start when the emulator has answered (RDS accepted the call), however long that took.
    let answer: Upstream;
    if (action === 'ModifyDBInstance' && id !== undefined && !(params.ApplyImmediately === 'true' && this.durations.modifyingMs === 0)) {
      const current = await this.describeOne(id);
      if (current === undefined) {
        answer = await this.send(text, headers);
      } else {
        // Held back: the emulator would apply it at once. It is sent when its modifying time is over.
        this.history(id).modifications.push({
          body: text,
          pending: pendingValuesOf(params),
          requestedAt: now,
          ...(params.ApplyImmediately === 'true' ? { applyingSince: now } : {}),
        });
        answer = { status: 200, body: modifyInstanceXml(current, requestId), contentType: 'text/xml' };
      }
    } else if (action === 'DeleteDBInstance' && id !== undefined) {
      const before = await this.describeOne(id);
      answer = await this.send(text, headers);
      if (answer.status === 200 && before !== undefined) {
        const history = this.history(id);
        history.deletingSince = Date.now();
        history.lastSeen = withoutEndpoint(withStatus(before, 'deleting'));
        if (params.SkipFinalSnapshot !== 'true' && params.FinalDBSnapshotIdentifier)
          this.snapshotsTakenAt.set(params.FinalDBSnapshotIdentifier, history.deletingSince);
        answer = { ...answer, body: mapInstances(answer.body, (fragment) => withStatus(fragment, 'deleting')) };
      }
    } else if (action === 'DescribeDBInstances') {
      answer = await this.send(text, headers);
      const ids = describedInstanceIds(params);
      if (answer.status === 200) answer = { ...answer, body: withExtraInstances(answer.body, this.stillDeleting(ids, answer.body, now)) };
      else if (answer.body.includes('DBInstanceNotFound')) {
        const deleting = this.stillDeleting(ids, '', now);
        if (deleting.length > 0) answer = { status: 200, body: describeInstancesXml(deleting, requestId), contentType: 'text/xml' };
      }
    } else {
      answer = await this.send(text, headers);
    }
    entry.executed = true;

    if (answer.status === 200 && id !== undefined) {
      if (action === 'CreateDBInstance' || action === 'CreateDBInstanceReadReplica') {
        const history = this.history(id);
        Object.assign(history, lifecycle.newHistory(), { createdAt: Date.now() });
      }
      if (action === 'RebootDBInstance') this.history(id).rebootedAt = Date.now();
      if (params.MasterUserPassword !== undefined && (action === 'CreateDBInstance' || action === 'ModifyDBInstance'))
        this.passwords.set(id, params.MasterUserPassword);
    }
    if (answer.status !== 200) entry.outcome = /<Code>([^<]+)<\/Code>/.exec(answer.body)?.[1] ?? `HTTP ${answer.status}`;

    if ((await this.heldDecision(action, 'after', entry)) === 'drop') return drop();
    finish(answer.status, answer.status === 200 ? this.overlay(answer.body, Date.now(), readAt) : answer.body, answer.contentType);
  }

  private async heldDecision(action: string, phase: 'before' | 'after', entry: JournalEntry): Promise<'drop' | 'release'> {
    const index = this.holds.findIndex(
      (h) =>
        h.operation === action &&
        h.phase === phase &&
        (h.process === undefined || h.process === entry.process) &&
        (h.identifier === undefined || h.identifier === entry.identifiers[0]),
    );
    if (index < 0) return 'release';
    const candidate = this.holds[index]!;
    if (phase === 'after' && entry.outcome !== 'ok') return 'release';
    if (candidate.nth !== undefined && candidate.nth > 1) {
      candidate.nth--;
      return 'release';
    }
    const [rule] = this.holds.splice(index, 1);
    return new Promise((decide) =>
      rule!.resolve({
        operation: action,
        phase,
        identifiers: entry.identifiers,
        process: entry.process,
        drop: () => decide('drop'),
        release: () => decide('release'),
      }),
    );
  }
}

export type { QueryParams };
