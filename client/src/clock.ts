/** Monotonic milliseconds: lag bounds compare times taken in this process, which wall-clock steps would corrupt. */
export const now = (): number => performance.now();
