// How the operator's AWS clients (RDS, CloudWatch) are configured. Adaptive retry mode: the SDK retries throttling
// and transient errors itself, and slows its own request rate when AWS throttles (a client-side token bucket),
// which matters when one operator reconciles hundreds of objects against one account's API quota. The endpoint
// override lets the same code run against the emulator.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsClientOptions {
  region: string;
  /** An emulator's URL (moto); unset for AWS itself. */
  endpoint?: string;
  /** Unset: the SDK's default chain (environment, web identity for IRSA, instance profile). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, first one included. */
  maxAttempts?: number;
}

/** The configuration both clients are constructed with. */
export function adaptiveRetryClientConfig(options: AwsClientOptions) {
  return {
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
  } as const;
}
