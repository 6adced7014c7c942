import { describe, expect, it, vi } from 'vitest';
import { abortableSleep } from './abortable-sleep.js';
import { fakeTimersInEachTest } from '../testing/fake-time.js';

fakeTimersInEachTest({ toFake: ['setTimeout', 'clearTimeout'] });

describe('abortableSleep', () => {
  it('resolves after the delay', async () => {
    let done = false;
    void abortableSleep(1_000, new AbortController().signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('resolves as soon as the signal aborts, and leaves no timer behind', async () => {
    const abort = new AbortController();
    let done = false;
    void abortableSleep(60_000, abort.signal).then(() => (done = true));
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves at once when the signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(abortableSleep(60_000, abort.signal)).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
