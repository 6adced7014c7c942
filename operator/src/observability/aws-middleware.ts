// Counts AWS SDK calls by operation and outcome. Added to a client's middleware stack at the `initialize` step,
// which wraps the whole call including the SDK's retries: one logical call is one count, and its outcome is the
// one the caller sees.
import type { InitializeMiddleware, MetadataBearer, MiddlewareStack, Pluggable } from '@smithy/types';
import type { OperatorMetrics } from './metrics.js';

export const AWS_METRICS_MIDDLEWARE = 'rsdbAwsCallMetrics';

type AwsCallSink = Pick<OperatorMetrics, 'observeAwsCall'>;

/** `RDSClient` -> `rds`, `CloudWatchClient` -> `cloudwatch`. */
export function serviceOf(clientName: string | undefined): string {
  return (clientName ?? '').replace(/Client$/, '').toLowerCase() || 'unknown';
}

/** `DescribeDBInstancesCommand` -> `DescribeDBInstances`, which is also the IAM action's name. */
export function operationOf(commandName: string | undefined): string {
  return (commandName ?? '').replace(/Command$/, '') || 'unknown';
}

/** AWS errors are named after the service's error code; anything that is not a plain identifier becomes `Error`,
 * so a free-form value never becomes a label value (unbounded series). */
export function outcomeOf(err: unknown): string {
  const name = err instanceof Error ? err.name : undefined;
  return name !== undefined && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name) ? name : 'Error';
}

export function awsCallMetricsMiddleware<Input extends object, Output extends MetadataBearer>(metrics: AwsCallSink): InitializeMiddleware<Input, Output> {
  return (next, context) => async (args) => {
    const service = serviceOf(context.clientName);
    const operation = operationOf(context.commandName);
    const started = performance.now();
    try {
      const output = await next(args);
      metrics.observeAwsCall(service, operation, 'success', (performance.now() - started) / 1000);
      return output;
    } catch (err) {
      metrics.observeAwsCall(service, operation, outcomeOf(err), (performance.now() - started) / 1000);
      throw err;
    }
  };
}

/** For `client.middlewareStack.use(awsCallMetricsPlugin(metrics))`. Using it twice on one client replaces the
 * first (same name, `override`), so calls are never counted twice. */
export function awsCallMetricsPlugin<Input extends object, Output extends MetadataBearer>(metrics: AwsCallSink): Pluggable<Input, Output> {
  return {
    applyToStack(stack) {
      stack.add(awsCallMetricsMiddleware<Input, Output>(metrics), { step: 'initialize', name: AWS_METRICS_MIDDLEWARE, override: true });
    },
  };
}

/** Convenience: `instrumentAwsClient(new RDSClient(...), metrics)` returns the client. */
export function instrumentAwsClient<Input extends object, Output extends MetadataBearer, C extends { middlewareStack: MiddlewareStack<Input, Output> }>(
  client: C,
  metrics: AwsCallSink,
): C {
  client.middlewareStack.use(awsCallMetricsPlugin<Input, Output>(metrics));
  return client;
}
