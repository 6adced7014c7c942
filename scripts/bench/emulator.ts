// The RDS emulator as the benchmarks reach it.
import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsEndpoint } from '../../test/env/contract.js';

/** An RDS client on the emulator, for the benchmark to add its own middleware to. */
export function emulatorRdsClient(aws: AwsEndpoint): RDSClient {
  return new RDSClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });
}
