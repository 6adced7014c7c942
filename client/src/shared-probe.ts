// One query answers many callers: while a position probe is in flight, others that need the same answer wait for
// it instead of sending their own, so a burst of sessions costs the server one probe at a time per endpoint.

export class SharedProbe<T> {
  #running: Promise<T> | undefined;
  #queued: Promise<T> | undefined;

  constructor(private readonly probe: () => Promise<T>) {}

  /** Whether a probe is running or queued: callers arriving now have company to share an answer with. */
  get busy(): boolean {
    return this.#running !== undefined || this.#queued !== undefined;
  }

  /** The probe in flight if there is one, else a new one. For answers that are lower bounds of a value that only
   * grows (a replica's replay position): an older reading is still true. */
  current(): Promise<T> {
    return this.#running ?? this.#start();
  }

  /** A probe that begins after this call: for an answer that must reflect something that already happened (the
   * primary's position after a commit). Callers that arrive while one runs share the single one queued behind it. */
  next(): Promise<T> {
    if (this.#queued) return this.#queued;
    const running = this.#running;
    if (!running) return this.#start();
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    const queued = settled.then(() => {
      this.#queued = undefined;
      return this.#start();
    });
    this.#queued = queued;
    return queued;
  }

  #start(): Promise<T> {
    const run = Promise.resolve().then(this.probe);
    this.#running = run;
    const done = () => {
      if (this.#running === run) this.#running = undefined;
    };
    run.then(done, done);
    return run;
  }
}
