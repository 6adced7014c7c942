import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Reflector, type ReflectorOptions, type WatchEvent } from './reflector.js';
import { anObject, FakeListSource, FakeWatchClient } from '../testing/fake-watch.js';
import { advance, FAKE_TIMERS_AND_DATE, fakeTimersInEachTest, flush } from '../testing/fake-time.js';

function setup(overrides: Partial<ReflectorOptions> = {}) {
  const source = new FakeListSource();
  const watchClient = new FakeWatchClient();
  const events: WatchEvent[] = [];
  const reflector = new Reflector({
    source,
    watchClient,
    log: pino({ level: 'silent' }),
    onEvent: (e) => events.push(e),
    backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0 },
    watchdogMs: 60_000,
    watchTimeoutSeconds: 300,
    listPageSize: 500,
    minHealthyWatchMs: 1_000,
    random: () => 0.5,
    ...overrides,
  });
  const summary = () => events.map((e) => `${e.type} ${e.key}@${e.object.metadata?.resourceVersion}`);
  return { source, watchClient, events, summary, reflector };
}

const started = fakeTimersInEachTest(FAKE_TIMERS_AND_DATE, {
  start: (s: ReturnType<typeof setup>) => s.reflector.start(),
  stop: (s) => s.reflector.stop(),
});

describe('Reflector', () => {
  it('lists, reports each object as added, then watches from the list resourceVersion', async () => {
    const s = setup();
    s.source.objects = [anObject('ns', 'a', '5'), anObject('ns', 'b', '6')];
    s.source.resourceVersion = '7';
    expect(s.reflector.hasSynced()).toBe(false);
    started(s);
    await flush();

    expect(s.reflector.hasSynced()).toBe(true);
    expect(s.summary()).toEqual(['added ns/a@5', 'added ns/b@6']);
    expect(s.watchClient.requests).toHaveLength(1);
    expect(s.watchClient.last()).toMatchObject({
      path: '/apis/test.io/v1/things',
      query: { resourceVersion: '7', allowWatchBookmarks: true, labelSelector: 'app=test', timeoutSeconds: 450 },
    });
  });

  it('reads every page of a paginated list', async () => {
    const s = setup({ listPageSize: 2 });
    s.source.pageSize = 2;
    s.source.objects = ['a', 'b', 'c', 'd', 'e'].map((n, i) => anObject('ns', n, String(i + 1)));
    started(s);
    await flush();
    expect(s.source.pageRequests).toEqual([{ limit: 2 }, { limit: 2, continueToken: '2' }, { limit: 2, continueToken: '4' }]);
    expect(s.reflector.list().map((o) => o.metadata?.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('applies watch events to the cache and reports them with the previous state', async () => {
    const s = started(setup());
    s.source.objects = [];
    await flush();
    const watch = s.watchClient.last();
    watch.send('ADDED', anObject('ns', 'a', '10'));
    watch.send('MODIFIED', anObject('ns', 'a', '11'));
    watch.send('MODIFIED', anObject('ns', 'a', '11'));
    watch.send('DELETED', anObject('ns', 'a', '12'));
    watch.send('ADDED', { apiVersion: 'test.io/v1', kind: 'Thing', metadata: { name: 'cluster-scoped', resourceVersion: '13' } });

    expect(s.summary()).toEqual(['added ns/a@10', 'modified ns/a@11', 'deleted ns/a@12']);
    expect(s.events[1]?.previous?.metadata?.resourceVersion).toBe('10');
    expect(s.events[2]?.previous?.metadata?.resourceVersion).toBe('11');
    expect(s.reflector.list()).toEqual([]);
  });

  it('continues from the last resourceVersion, bookmarks included, when a watch ends cleanly', async () => {
    const s = started(setup());
    await flush();
    s.watchClient.last().send('ADDED', anObject('ns', 'a', '20'));
    s.watchClient.last().send('BOOKMARK', { kind: 'Thing', metadata: { resourceVersion: '25' } });
    await advance(10_000);
    s.watchClient.last().end();
    await flush();

    expect(s.watchClient.requests).toHaveLength(2);
    expect(s.watchClient.last().query.resourceVersion).toBe('25');
    expect(s.source.calls).toBe(1);
    expect(s.reflector.stats()).toMatchObject({ lists: 1, watches: 2, failures: 0 });
  });

  it('lists again at once after a 410, reporting what changed during the gap', async () => {
    const s = setup();
    s.source.objects = [anObject('ns', 'kept', '1'), anObject('ns', 'changed', '2'), anObject('ns', 'gone', '3')];
    started(s);
    await flush();
    s.source.objects = [anObject('ns', 'kept', '1'), anObject('ns', 'changed', '8'), anObject('ns', 'new', '9')];
    s.source.resourceVersion = '9';
    s.watchClient.last().send('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    await flush();

    expect(s.watchClient.requests[0]?.aborted).toBe(true);
    expect(s.source.calls).toBe(2);
    expect(s.summary().slice(3)).toEqual(['deleted ns/gone@3', 'modified ns/changed@8', 'added ns/new@9']);
    expect(s.watchClient.last().query.resourceVersion).toBe('9');
    expect(s.reflector.stats().failures).toBe(0);
  });

  it('treats an HTTP 410 at watch start like the ERROR event', async () => {
    const s = started(setup());
    await flush();
    s.watchClient.last().end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await flush();
    expect(s.source.calls).toBe(2);
    expect(s.watchClient.requests).toHaveLength(2);
  });

  it('retries a failing list with growing backoff, and resets the backoff once a watch is healthy', async () => {
    const s = setup();
    s.source.failWith = new Error('connect ECONNREFUSED');
    started(s);
    await flush();
    expect(s.source.calls).toBe(1);
    await advance(999);
    expect(s.source.calls).toBe(1);
    await advance(1);
    expect(s.source.calls).toBe(2);
    await advance(1_999);
    expect(s.source.calls).toBe(2);
    await advance(1);
    expect(s.source.calls).toBe(3);
    expect(s.reflector.hasSynced()).toBe(false);

    s.source.failWith = undefined;
    await advance(4_000);
    expect(s.source.calls).toBe(4);
    expect(s.reflector.hasSynced()).toBe(true);

    await advance(5_000);
    s.watchClient.last().end(new Error('socket hang up'));
    await flush();
    expect(s.watchClient.requests).toHaveLength(1);
    await advance(1_000);
    expect(s.watchClient.requests).toHaveLength(2);
    expect(s.reflector.stats()).toMatchObject({ failures: 4, lists: 4 });
  });

  it('resumes a broken watch from its resourceVersion without listing again', async () => {
    const s = started(setup());
    await flush();
    s.watchClient.last().send('ADDED', anObject('ns', 'a', '30'));
    s.watchClient.last().end(new Error('Premature close'));
    await advance(1_000);
    expect(s.source.calls).toBe(1);
    expect(s.watchClient.last().query.resourceVersion).toBe('30');
  });

  it('turns an ERROR event other than 410 into a retry with backoff', async () => {
    const s = started(setup());
    await flush();
    s.watchClient.last().send('ERROR', { kind: 'Status', code: 500, message: 'etcd leader changed' });
    await flush();
    expect(s.watchClient.requests[0]?.aborted).toBe(true);
    expect(s.watchClient.requests).toHaveLength(1);
    await advance(1_000);
    expect(s.watchClient.requests).toHaveLength(2);
    expect(s.source.calls).toBe(1);
  });

  it('backs off when watches close as soon as they open', async () => {
    const s = started(setup());
    await flush();
    s.watchClient.last().end();
    await flush();
    expect(s.watchClient.requests).toHaveLength(1);
    await advance(1_000);
    expect(s.watchClient.requests).toHaveLength(2);
    expect(s.reflector.stats().failures).toBe(1);
  });

  it('reconnects a watch that stays silent past the watchdog, from the same resourceVersion', async () => {
    const s = started(setup({ watchdogMs: 60_000 }));
    await flush();
    s.watchClient.last().send('ADDED', anObject('ns', 'a', '40'));
    await advance(59_999);
    s.watchClient.last().send('BOOKMARK', { metadata: { resourceVersion: '41' } });
    await advance(59_999);
    expect(s.watchClient.requests).toHaveLength(1);

    await advance(1);
    expect(s.watchClient.requests[0]?.aborted).toBe(true);
    expect(s.watchClient.requests).toHaveLength(2);
    expect(s.watchClient.last().query.resourceVersion).toBe('41');
    expect(s.source.calls).toBe(1);
    expect(s.reflector.stats()).toMatchObject({ stalls: 1, failures: 0 });

    s.watchClient.last().send('MODIFIED', anObject('ns', 'a', '42'));
    expect(s.summary()).toEqual(['added ns/a@40', 'modified ns/a@42']);
  });

  it('aborts a connection that opens only after the watchdog gave up on it', async () => {
    const s = setup({ watchdogMs: 10_000 });
    s.watchClient.holdConnections = true;
    started(s);
    await flush();
    await advance(10_000);
    expect(s.watchClient.requests).toHaveLength(2);
    s.watchClient.releaseHeldConnections();
    await flush();
    expect(s.watchClient.requests[0]?.aborted).toBe(true);
    expect(s.watchClient.requests[1]?.aborted).toBe(false);
  });

  it('stops: aborts the open watch and opens no other', async () => {
    const s = setup();
    s.reflector.start();
    await flush();
    await s.reflector.stop();
    expect(s.watchClient.last().aborted).toBe(true);
    await advance(600_000);
    expect(s.watchClient.requests).toHaveLength(1);
  });

  it('stops promptly while waiting out a backoff', async () => {
    const s = setup({ backoff: { initialMs: 600_000, maxMs: 600_000, factor: 2, jitter: 0 } });
    s.source.failWith = new Error('forbidden');
    s.reflector.start();
    await flush();
    let stopped = false;
    void s.reflector.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(true);
    expect(s.source.calls).toBe(1);
  });

  it('keeps going when the event listener throws', async () => {
    const s = setup({
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    s.source.objects = [anObject('ns', 'a', '1')];
    started(s);
    await flush();
    s.watchClient.last().send('ADDED', anObject('ns', 'b', '2'));
    expect(s.reflector.list().map((o) => o.metadata?.name)).toEqual(['a', 'b']);
  });
});
