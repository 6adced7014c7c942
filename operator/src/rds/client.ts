// The RDS client the adapter uses, configured as every AWS client of the operator is (adaptive retries, an
// endpoint override for the emulator).
import { RDSClient } from '@aws-sdk/client-rds';
import { adaptiveRetryClientConfig, type AwsClientOptions } from '../aws/client-options.js';

export type RdsClientOptions = AwsClientOptions;

export function createRdsClient(options: RdsClientOptions): RDSClient {
  return new RDSClient(adaptiveRetryClientConfig(options));
}
