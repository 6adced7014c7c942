// The generated API clients of @kubernetes/client-node 1.x take no AbortSignal argument, but every call accepts
// per-call configuration with middleware, and the request context carries a signal that its fetch honours. This
// sets it, keeping any other per-call middleware (a patch's Content-Type, from setHeaderOptions).
import { Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';

export function withSignal(
  signal: AbortSignal | undefined,
  options?: ConfigurationOptions<ObservableMiddleware>,
): ConfigurationOptions<ObservableMiddleware> | undefined {
  if (signal === undefined) return options;
  const setSignal: ObservableMiddleware = {
    pre: (request) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { ...options, middleware: [...(options?.middleware ?? []), setSignal], middlewareMergeStrategy: 'append' };
}
