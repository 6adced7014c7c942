// The CloudWatch client the lag and connections adapters use, configured like the RDS one: adaptive retries matter
// here too, as CloudWatch throttles GetMetricData per account.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { adaptiveRetryClientConfig, type AwsClientOptions } from '../aws/client-options.js';

export type CloudWatchClientOptions = AwsClientOptions;

export function createCloudWatchClient(options: CloudWatchClientOptions): CloudWatchClient {
  return new CloudWatchClient(adaptiveRetryClientConfig(options));
}
