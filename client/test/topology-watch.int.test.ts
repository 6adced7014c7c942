// The topology file's directory watch on a real file system: a watch that cannot be set up (the inotify limit
// reached at start) or that fails later is set up again at the next poll, so changes are seen within moments again,
// not only at each poll. The failures are injected in front of node:fs's watch; everything else is real.
import { watch, type FSWatcher } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTopology, type Topology } from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { TopologyFileSource, readTopologyFile } from '../src/reload/file-source.js';
import { KubeletProjection } from './kubelet-projection.js';

const POLL_MS = 2_000;
/** The router's own re-read interval when none is given. */
const DEFAULT_POLL_MS = resolveOptions({ topologyFile: 'topology.json', credentials: { username: 'u', password: 'p' } }).topologyPollIntervalMs;

const document = (revision: number) =>
  formatTopology({
    version: 1,
    revision,
    name: 'db',
    namespace: 'apps',
    database: 'app',
    primary: { id: 'primary', host: 'primary.example', port: 5432 },
    replicas: [],
    tls: { mode: 'disable' },
    credentialsSecret: 'db-credentials',
    updatedAt: '2026-12-07T12:00:00Z',
  });

/** A source on `projection` whose applied revisions and errors are recorded. */
async function following(projection: KubeletProjection, watchDirectory: typeof watch, pollMs = POLL_MS) {
  let current: Topology = await readTopologyFile(projection.file('topology.json'));
  const applied: Array<{ revision: number; at: number }> = [];
  const errors: Error[] = [];
  const source = new TopologyFileSource(
    projection.file('topology.json'),
    {
      current: () => current,
      apply: (next) => {
        current = next;
        applied.push({ revision: next.revision, at: performance.now() });
        return undefined;
      },
      error: (err) => errors.push(err),
    },
    pollMs,
    20,
    watchDirectory,
  );
  source.start();
  return { source, applied, errors };
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How long after its write a change is applied: within moments through the watch, up to POLL_MS without it. */
async function applyDelay(
  projection: KubeletProjection,
  watched: Awaited<ReturnType<typeof following>>,
  revision: number,
  timeoutMs?: number,
): Promise<number> {
  const writtenAt = performance.now();
  await projection.update('topology.json', document(revision));
  await until(`revision ${revision}`, () => watched.applied.some((a) => a.revision === revision), timeoutMs);
  return watched.applied.find((a) => a.revision === revision)!.at - writtenAt;
}

describe('the watch of the topology directory', () => {
  let projection: KubeletProjection | undefined;
  let source: TopologyFileSource | undefined;

  afterEach(async () => {
    await source?.close();
    await projection?.remove();
  });

  it('is set up again at the next poll when it could not be at start', async () => {
    projection = await KubeletProjection.create('topology.json', document(1));
    let calls = 0;
    const watchDirectory = ((...args: Parameters<typeof watch>) => {
      if (++calls === 1) throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
      return watch(...args);
    }) as typeof watch;
    const watched = await following(projection, watchDirectory);
    source = watched.source;
    expect(watched.errors.map((e) => e.message)).toEqual([expect.stringContaining('cannot watch')]);

    await until('the watch to be set up again', () => calls === 2, POLL_MS * 2);
    // Just after a poll: the next is POLL_MS away, so a change seen within half of that came through the watch.
    expect(await applyDelay(projection, watched, 2)).toBeLessThan(POLL_MS / 2);
  });

  it('is set up again at the next poll after it failed', async () => {
    projection = await KubeletProjection.create('topology.json', document(1));
    const watchers: FSWatcher[] = [];
    const watchDirectory = ((...args: Parameters<typeof watch>) => {
      const watcher = watch(...args);
      watchers.push(watcher);
      return watcher;
    }) as typeof watch;
    const watched = await following(projection, watchDirectory);
    source = watched.source;
    // As node:fs reports a watch that broke (the watcher is unusable afterwards).
    watchers[0]!.emit('error', Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }));
    expect(watched.errors.map((e) => e.message)).toEqual([expect.stringContaining('cannot watch')]);

    await until('the watch to be set up again', () => watchers.length === 2, POLL_MS * 2);
    expect(await applyDelay(projection, watched, 2)).toBeLessThan(POLL_MS / 2);
  });

  it('at the default re-read interval, sees a change made while the watch is broken at the next re-read, and the next within moments', async () => {
    projection = await KubeletProjection.create('topology.json', document(1));
    const watchers: FSWatcher[] = [];
    const watchDirectory = ((...args: Parameters<typeof watch>) => {
      const watcher = watch(...args);
      watchers.push(watcher);
      return watcher;
    }) as typeof watch;
    const startedAt = performance.now();
    const watched = await following(projection, watchDirectory, DEFAULT_POLL_MS);
    source = watched.source;
    watchers[0]!.emit('error', Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }));

    // The first re-read comes one interval after start: that is the longest a change waits without the watch. The
    // wait itself is given longer, so that the bound below (not a deadline equal to it) is what judges.
    const delay = await applyDelay(projection, watched, 2, DEFAULT_POLL_MS + 5_000);
    expect(delay).toBeGreaterThan(DEFAULT_POLL_MS / 2);
    expect(performance.now() - startedAt).toBeLessThan(DEFAULT_POLL_MS + 1_000);
    expect(watchers).toHaveLength(2);
    expect(await applyDelay(projection, watched, 3)).toBeLessThan(1_000);
  }, 30_000);

  it('closes the watch it set up again when the source closes', async () => {
    projection = await KubeletProjection.create('topology.json', document(1));
    const watchers: FSWatcher[] = [];
    const closed: FSWatcher[] = [];
    const watchDirectory = ((...args: Parameters<typeof watch>) => {
      const watcher = watch(...args);
      watcher.on('close', () => closed.push(watcher));
      watchers.push(watcher);
      return watcher;
    }) as typeof watch;
    const watched = await following(projection, watchDirectory);
    watchers[0]!.emit('error', new Error('EMFILE: too many open files'));
    await until('the watch to be set up again', () => watchers.length === 2, POLL_MS * 2);
    await watched.source.close();
    // node:fs emits 'close' on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(watchers);
  });
});
