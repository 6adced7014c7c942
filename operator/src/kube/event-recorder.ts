// Kubernetes Events for what the operator does, best effort. A repeat of the same event (same object, type, reason
// and message) within a window bumps the count of the event already written instead of creating another, as
// client-go's recorder does, so a reconcile that keeps waiting on the same thing does not flood `kubectl describe`.
// The memory of written events is per process and bounded; after a restart a repeat simply creates a new event.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isNotFound } from '@servio/controller-runtime';
import type { EventType, OwnerIdentity } from '../ports/kubernetes.js';

/** Longer messages are cut: events.k8s.io limits a note to 1 kB, and an event is a pointer, not a log. */
const MAX_MESSAGE_LENGTH = 1024;

export interface NewEvent {
  name: string;
  namespace: string;
  involved: OwnerIdentity;
  type: EventType;
  reason: string;
  message: string;
  at: Date;
}

/** The writes the recorder needs, so that its dedup logic can be tested without a server. */
export interface EventSink {
  create(event: NewEvent): Promise<void>;
  /** Sets the count and last time of an existing event; 'gone' when it no longer exists (events expire). */
  bump(ref: { namespace: string; name: string }, count: number, at: Date): Promise<'updated' | 'gone'>;
}

export interface EventRecorderOptions {
  sink: EventSink;
  log: Logger;
  /** Repeats within this window are counted on one event. */
  dedupWindowMs?: number;
  /** How many distinct events are remembered for counting. */
  maxRemembered?: number;
  now?: () => Date;
}

interface Remembered {
  namespace: string;
  name: string;
  count: number;
  firstAt: number;
}

export class EventRecorder {
  // Insertion-ordered: re-inserting on every use makes the first entry the least recently used.
  private readonly remembered = new Map<string, Remembered>();
  private readonly dedupWindowMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => Date;

  constructor(private readonly options: EventRecorderOptions) {
    this.dedupWindowMs = options.dedupWindowMs ?? 10 * 60_000;
    this.maxRemembered = options.maxRemembered ?? 4_096;
    this.now = options.now ?? (() => new Date());
  }

  /** Never throws: a failure is logged. */
  async record(involved: OwnerIdentity, type: EventType, reason: string, message: string): Promise<void> {
    const text = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : message;
    const key = [involved.uid, type, reason, text].join('\u0000');
    const at = this.now();
    try {
      const previous = this.remembered.get(key);
      this.remembered.delete(key);
      if (previous && at.getTime() - previous.firstAt < this.dedupWindowMs) {
        const count = previous.count + 1;
        const outcome = await this.options.sink.bump(previous, count, at);
        if (outcome === 'updated') {
          this.remember(key, { ...previous, count });
          return;
        }
      }
      const name = eventName(involved.name, at);
      await this.options.sink.create({ name, namespace: involved.namespace, involved, type, reason, message: text, at });
      this.remember(key, { namespace: involved.namespace, name, count: 1, firstAt: at.getTime() });
    } catch (err) {
      this.options.log.warn({ err, involved: `${involved.namespace}/${involved.name}`, type, reason }, 'failed to record an event');
    }
  }

  private remember(key: string, entry: Remembered): void {
    this.remembered.set(key, entry);
    while (this.remembered.size > this.maxRemembered) {
      const oldest = this.remembered.keys().next();
      if (oldest.done) break;
      this.remembered.delete(oldest.value);
    }
  }
}

/** `<object>.<hex time><random>`, like client-go's `name.%x`; the object part is cut to keep within 253 chars. */
export function eventName(objectName: string, at: Date): string {
  const suffix = `${at.getTime().toString(16)}${randomBytes(3).toString('hex')}`;
  return `${objectName.slice(0, 253 - suffix.length - 1)}.${suffix}`;
}

/** Writes core/v1 Events, which `kubectl describe` shows with their count. */
export function coreV1EventSink(kc: KubeConfig, reporting: { component: string; instance: string }): EventSink {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    async create(event) {
      const body: CoreV1Event = {
        metadata: { name: event.name, namespace: event.namespace },
        involvedObject: {
          apiVersion: event.involved.apiVersion,
          kind: event.involved.kind,
          name: event.involved.name,
          namespace: event.involved.namespace,
          uid: event.involved.uid,
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        count: 1,
        firstTimestamp: event.at,
        lastTimestamp: event.at,
        source: { component: reporting.component },
        reportingComponent: reporting.component,
        reportingInstance: reporting.instance,
      };
      await api.createNamespacedEvent({ namespace: event.namespace, body });
    },
    async bump(ref, count, at) {
      try {
        await api.patchNamespacedEvent(
          { ...ref, body: { count, lastTimestamp: at.toISOString() } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return 'updated';
      } catch (err) {
        if (isNotFound(err)) return 'gone';
        throw err;
      }
    },
  };
}
