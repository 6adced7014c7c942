// Sending one SDK request: whatever the SDK throws becomes an RdsError whose kind tells the reconciler what to do.
import { toRdsError } from './errors.js';
import type { CallOptions } from './port.js';

/** `send` gets the SDK's per-request options, which carry the caller's abort signal. */
export async function sdkCall<T>(operation: string, options: CallOptions | undefined, send: (sdk: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
  try {
    return await send({ abortSignal: options?.signal });
  } catch (err) {
    throw toRdsError(err, operation);
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
