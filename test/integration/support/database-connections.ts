// DatabaseConnections datapoints a test writes to the emulator's CloudWatch, as RDS publishes them: one a minute,
// standard resolution. The drain's evidence gate reads them.
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { cloudWatchClient } from '../../env/helpers.js';

/** One datapoint per minute ago given, counted back from `from`. */
export async function putConnections(identifier: string, from: number, ...values: Array<{ minutesAgo: number; value: number }>): Promise<void> {
  await cloudWatchClient().send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: values.map(({ minutesAgo, value }) => ({
        MetricName: 'DatabaseConnections',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: identifier }],
        Value: value,
        Unit: 'Count',
        Timestamp: new Date(from - minutesAgo * 60_000),
      })),
    }),
  );
}
