// The CloudWatch client the lag adapter uses, built like the RDS one: adaptive retries (the SDK backs off and
// rate-limits itself when CloudWatch throttles, which GetMetricData does per account), and an endpoint override
// so the same code runs against the emulator.
import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';

export interface CloudWatchClientOptions {
  region: string;
  /** An emulator's URL (moto); unset for AWS itself. */
  endpoint?: string;
  /** Unset: the SDK's default chain (environment, web identity for IRSA, instance profile). */
  credentials?: CloudWatchClientConfig['credentials'];
  /** Attempts per call, first one included. */
  maxAttempts?: number;
}

export function createCloudWatchClient(options: CloudWatchClientOptions): CloudWatchClient {
  return new CloudWatchClient({
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
  });
}
