import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { awsCallMetricsPlugin, instrumentAwsClient, operationOf, outcomeOf, serviceOf } from './aws-middleware.js';

interface Call {
  service: string;
  operation: string;
  outcome: string;
  seconds: number;
}

function recorder() {
  const calls: Call[] = [];
  return {
    calls,
    observeAwsCall: (service: string, operation: string, outcome: string, seconds: number) => void calls.push({ service, operation, outcome, seconds }),
  };
}

const OK =
  '<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances/></DescribeDBInstancesResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeDBInstancesResponse>';
const errorBody = (code: string) =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>no</Message></Error><RequestId>2</RequestId></ErrorResponse>`;

/** An RDS client whose HTTP layer answers from a script, so the SDK's real middleware stack (serialisation,
 * retries, error parsing) runs without a network. */
function scriptedRds(responses: Array<{ status: number; body: string }>, maxAttempts = 1) {
  let i = 0;
  return new RDSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts,
    requestHandler: {
      handle: async () => {
        const r = responses[Math.min(i++, responses.length - 1)]!;
        return { response: { statusCode: r.status, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(r.body)]) } };
      },
    },
  });
}

describe('AWS call metrics middleware', () => {
  it('counts a successful call under its action name', async () => {
    const sink = recorder();
    const rds = instrumentAwsClient(scriptedRds([{ status: 200, body: OK }]), sink);
    await rds.send(new DescribeDBInstancesCommand({}));
    expect(sink.calls).toEqual([{ service: 'rds', operation: 'DescribeDBInstances', outcome: 'success', seconds: expect.any(Number) }]);
    expect(sink.calls[0]!.seconds).toBeGreaterThanOrEqual(0);
  });

  it('counts a failed call under the AWS error name, and rethrows it', async () => {
    const sink = recorder();
    const rds = instrumentAwsClient(scriptedRds([{ status: 404, body: errorBody('DBInstanceNotFound') }]), sink);
    await expect(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'x' }))).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    expect(sink.calls.map((c) => c.outcome)).toEqual(['DBInstanceNotFoundFault']);
  });

  it('counts one logical call when the SDK retries a throttled request', async () => {
    const sink = recorder();
    const rds = scriptedRds(
      [
        { status: 400, body: errorBody('Throttling') },
        { status: 200, body: OK },
      ],
      3,
    );
    rds.middlewareStack.use(awsCallMetricsPlugin(sink));
    await rds.send(new DescribeDBInstancesCommand({}));
    expect(sink.calls.map((c) => c.outcome)).toEqual(['success']);
  });

  it('is not counted twice when added twice', async () => {
    const sink = recorder();
    const rds = instrumentAwsClient(instrumentAwsClient(scriptedRds([{ status: 200, body: OK }]), sink), sink);
    await rds.send(new DescribeDBInstancesCommand({}));
    expect(sink.calls).toHaveLength(1);
  });
});

describe('label values', () => {
  it.each([
    ['RDSClient', 'rds'],
    ['CloudWatchClient', 'cloudwatch'],
    [undefined, 'unknown'],
  ])('service of %s is %s', (client, service) => expect(serviceOf(client)).toBe(service));

  it.each([
    ['CreateDBInstanceReadReplicaCommand', 'CreateDBInstanceReadReplica'],
    ['GetMetricDataCommand', 'GetMetricData'],
    [undefined, 'unknown'],
  ])('operation of %s is %s', (command, operation) => expect(operationOf(command)).toBe(operation));

  it('keeps error names bounded', () => {
    class ThrottlingException extends Error {
      override name = 'ThrottlingException';
    }
    expect(outcomeOf(new ThrottlingException('slow down'))).toBe('ThrottlingException');
    expect(outcomeOf(Object.assign(new Error('x'), { name: 'connect ECONNREFUSED 127.0.0.1:5000' }))).toBe('Error');
    expect(outcomeOf('a string')).toBe('Error');
    expect(outcomeOf(undefined)).toBe('Error');
  });
});
