import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { OwnerIdentity } from '../ports/kubernetes.js';
import { EventRecorder, eventName, type EventSink, type NewEvent } from './event-recorder.js';

const db: OwnerIdentity = { apiVersion: 'db.servio.io/v1alpha1', kind: 'ReplicaSetDB', namespace: 'ns', name: 'app', uid: 'uid-1' };

class MemorySink implements EventSink {
  readonly events = new Map<string, NewEvent & { count: number; lastAt: Date }>();
  failCreates = false;

  async create(event: NewEvent): Promise<void> {
    if (this.failCreates) throw new Error('events is forbidden');
    this.events.set(event.name, { ...event, count: 1, lastAt: event.at });
  }
  async bump(ref: { name: string }, count: number, at: Date): Promise<'updated' | 'gone'> {
    const event = this.events.get(ref.name);
    if (!event) return 'gone';
    event.count = count;
    event.lastAt = at;
    return 'updated';
  }
  list() {
    return [...this.events.values()].map((e) => ({ reason: e.reason, message: e.message, count: e.count }));
  }
}

function recorder(options: { sink?: MemorySink; clock?: { t: number }; maxRemembered?: number } = {}) {
  const sink = options.sink ?? new MemorySink();
  const clock = options.clock ?? { t: Date.parse('2026-11-26T10:00:00Z') };
  const warnings: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      warnings.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  const r = new EventRecorder({
    sink,
    log: pino({ level: 'warn' }, stream),
    dedupWindowMs: 60_000,
    now: () => new Date(clock.t),
    ...(options.maxRemembered ? { maxRemembered: options.maxRemembered } : {}),
  });
  return { r, sink, clock, warnings };
}

describe('EventRecorder', () => {
  it('counts repeats of one event on a single Event', async () => {
    const { r, sink, clock } = recorder();
    await r.record(db, 'Normal', 'Waiting', 'primary is creating');
    clock.t += 10_000;
    await r.record(db, 'Normal', 'Waiting', 'primary is creating');
    await r.record(db, 'Normal', 'Waiting', 'primary is creating');
    expect(sink.list()).toEqual([{ reason: 'Waiting', message: 'primary is creating', count: 3 }]);
  });

  it('keeps distinct events apart: another message, reason, type or object', async () => {
    const { r, sink } = recorder();
    await r.record(db, 'Normal', 'Waiting', 'a');
    await r.record(db, 'Normal', 'Waiting', 'b');
    await r.record(db, 'Normal', 'Other', 'a');
    await r.record(db, 'Warning', 'Waiting', 'a');
    await r.record({ ...db, uid: 'uid-2' }, 'Normal', 'Waiting', 'a');
    expect(sink.list().map((e) => e.count)).toEqual([1, 1, 1, 1, 1]);
  });

  it('starts a new Event after the dedup window', async () => {
    const { r, sink, clock } = recorder();
    await r.record(db, 'Normal', 'Waiting', 'x');
    clock.t += 60_000;
    await r.record(db, 'Normal', 'Waiting', 'x');
    expect(sink.list().map((e) => e.count)).toEqual([1, 1]);
  });

  it('creates a new Event when the counted one has expired from the server', async () => {
    const { r, sink } = recorder();
    await r.record(db, 'Normal', 'Waiting', 'x');
    sink.events.clear();
    await r.record(db, 'Normal', 'Waiting', 'x');
    await r.record(db, 'Normal', 'Waiting', 'x');
    expect(sink.list()).toEqual([{ reason: 'Waiting', message: 'x', count: 2 }]);
  });

  it('forgets the least recently used events beyond its bound', async () => {
    const { r, sink } = recorder({ maxRemembered: 2 });
    await r.record(db, 'Normal', 'R', 'first');
    await r.record(db, 'Normal', 'R', 'second');
    await r.record(db, 'Normal', 'R', 'first');
    await r.record(db, 'Normal', 'R', 'third');
    await r.record(db, 'Normal', 'R', 'second');
    // 'first' was used again before 'third' arrived, so 'second' was the one forgotten.
    expect(sink.list().map((e) => `${e.message} x${e.count}`)).toEqual(['first x2', 'second x1', 'third x1', 'second x1']);
  });

  it('cuts long messages', async () => {
    const { r, sink } = recorder();
    await r.record(db, 'Warning', 'Failed', 'x'.repeat(5_000));
    const [event] = sink.list();
    expect(event?.message).toHaveLength(1024);
    expect(event?.message.endsWith('...')).toBe(true);
  });

  it('logs and swallows a failure', async () => {
    const { r, sink, warnings } = recorder();
    sink.failCreates = true;
    await expect(r.record(db, 'Warning', 'Failed', 'x')).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: 'failed to record an event', involved: 'ns/app', reason: 'Failed' });
  });
});

describe('eventName', () => {
  it('is the object name, a dot and a unique suffix', () => {
    const at = new Date('2026-11-26T10:00:00Z');
    const a = eventName('app', at);
    expect(a).toMatch(/^app\.[0-9a-f]+$/);
    expect(eventName('app', at)).not.toBe(a);
  });

  it('stays within 253 characters for the longest names', () => {
    const name = eventName('n'.repeat(253), new Date());
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^n+\.[0-9a-f]+$/);
  });
});
