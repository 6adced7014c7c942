// The RDS client the adapter uses. Adaptive retry mode: the SDK retries throttling and transient errors itself,
// and slows its own request rate when RDS throttles (a client-side token bucket), which matters when one
// operator reconciles hundreds of objects against one account's API quota.
import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';

export interface RdsClientOptions {
  region: string;
  /** An emulator's URL (moto); unset for AWS itself. */
  endpoint?: string;
  /** Unset: the SDK's default chain (environment, web identity for IRSA, instance profile). */
  credentials?: RDSClientConfig['credentials'];
  /** Attempts per call, first one included. */
  maxAttempts?: number;
}

export function createRdsClient(options: RdsClientOptions): RDSClient {
  return new RDSClient({
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
  });
}
