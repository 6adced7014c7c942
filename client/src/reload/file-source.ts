// Follows topology.json in a mounted ConfigMap. The kubelet never edits the file: it writes a new timestamped
// folder and renames a `..data_tmp` symlink over `..data`, so the change shows up as an entry event in the
// file's directory, not on the file. The directory is watched, and a periodic re-read covers file systems
// whose events get lost. Every read is validated; anything unusable keeps the last good topology.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decideTopologyUpdate } from './decision.js';
import { parseTopology, TopologyError, type Topology } from '@servio/replicasetdb-contract';

export interface TopologySourceEvents {
  current(): Topology;
  /** Puts `next` in effect, or returns why it cannot be (the topology in effect then stays). */
  apply(next: Topology): Error | undefined;
  error(err: Error): void;
}

export interface TopologySourceStats {
  /** Reads of the file, whatever came of them. */
  reads: number;
  /** Revisions taken. */
  reloads: number;
  /** Of the reloads, those that switched to a new epoch (a re-created ReplicaSetDB): their revision may be lower. */
  epochChanges: number;
  ignored: number;
  rejected: number;
}

export async function readTopologyFile(path: string): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TopologyError(`cannot read ${path}`, [(err as Error).message], { cause: err });
  }
  try {
    return parseTopology(text);
  } catch (err) {
    if (err instanceof TopologyError) throw new TopologyError(`${path}: ${err.message}`, [], { cause: err });
    throw err;
  }
}

export class TopologyFileSource {
  readonly stats: TopologySourceStats = { reads: 0, reloads: 0, epochChanges: 0, ignored: 0, rejected: 0 };
  readonly #leftEpochs = new Set<string>();
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  // The same bad content is reported once, not on every event and poll while it stays.
  #lastComplaint: string | undefined;

  constructor(
    readonly path: string,
    private readonly events: TopologySourceEvents,
    private readonly pollIntervalMs: number,
    private readonly debounceMs = 20,
    private readonly watchDirectory: typeof watch = watch,
  ) {}

  start(): void {
    this.#watch();
    this.#poll = setInterval(() => {
      this.#watch();
      void this.reload();
    }, this.pollIntervalMs);
    this.#poll.unref();
  }

  /** Watches the directory unless it is watched already. A watch that cannot be set up (the inotify limit reached)
   * or that broke is tried again at the next poll: until then changes are seen at each poll only. */
  #watch(): void {
    if (this.#closed || this.#watcher !== undefined) return;
    const dir = dirname(this.path);
    const unwatched = (err: Error) =>
      this.#complain(`watch:${err.message}`, new TopologyError(`cannot watch ${dir}; reading it every ${this.pollIntervalMs} ms until it can`, [err.message]));
    try {
      const watcher = this.watchDirectory(dir, { persistent: false }, () => this.#schedule());
      // node:fs leaves a watcher that reported an error unusable.
      watcher.on('error', (err) => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
        unwatched(err);
      });
      this.#watcher = watcher;
    } catch (err) {
      unwatched(err as Error);
    }
  }

  /** A burst of directory events (new folder, ..data_tmp, rename) becomes one read. */
  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.reload(), this.debounceMs);
    this.#debounce.unref();
  }

  /** Re-reads the file; concurrent requests collapse into one more read after the current one. */
  reload(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#reloadOnce();
      } while (this.#again && !this.#closed);
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #reloadOnce(): Promise<void> {
    if (this.#closed) return;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      this.stats.reads++;
      this.#complain(
        `read:${(err as NodeJS.ErrnoException).code}`,
        new TopologyError(`cannot read ${this.path}; keeping revision ${this.events.current().revision}`, [(err as Error).message]),
      );
      return;
    }
    this.stats.reads++;
    if (this.#closed) return;
    let next: Topology;
    try {
      next = parseTopology(text);
    } catch (err) {
      const issues = err instanceof TopologyError ? [err.message] : [String(err)];
      this.#complain(`parse:${text}`, new TopologyError(`ignoring ${this.path}; keeping revision ${this.events.current().revision}`, issues, { cause: err }));
      return;
    }
    const current = this.events.current();
    const decision = decideTopologyUpdate(current, next, this.#leftEpochs);
    if (decision.action === 'ignore') {
      if (decision.reason !== 'unchanged') this.stats.ignored++;
      this.#lastComplaint = undefined;
      return;
    }
    if (decision.action === 'reject') {
      this.#complain(`reject:${text}`, new TopologyError(`ignoring ${this.path}`, [decision.reason]));
      return;
    }
    const refused = this.events.apply(next);
    // Not taken: neither a reload nor a switch of epoch, and the epoch in effect has not been left. The file is read
    // again at every poll; the document is reported once.
    if (refused !== undefined) {
      this.#complain(`refused:${text}`, refused);
      return;
    }
    this.#lastComplaint = undefined;
    this.stats.reloads++;
    if (decision.reason === 'new-epoch') {
      this.stats.epochChanges++;
      if (current.epoch !== undefined) this.#leftEpochs.add(current.epoch);
    }
  }

  #complain(key: string, err: Error): void {
    if (key === this.#lastComplaint) return;
    this.#lastComplaint = key;
    this.stats.rejected++;
    this.events.error(err);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    clearInterval(this.#poll);
    clearTimeout(this.#debounce);
    await this.#running;
  }
}
