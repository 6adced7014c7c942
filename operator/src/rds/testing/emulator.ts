// Test support for the RDS emulator (moto): what a test needs in the account before the operator can create
// instances there.
import { CreateDBSubnetGroupCommand, type RDSClient } from '@aws-sdk/client-rds';

export interface EmulatorAccess {
  endpoint: string;
  region: string;
  accessKeyId: string;
}

/** Subnet ids of the emulator's default VPC, through the EC2 query API (the project has no EC2 client). moto
 * picks the service from the credential scope of the Authorization header and does not check the signature. */
export async function defaultSubnetIds(aws: EmulatorAccess): Promise<string[]> {
  const res = await fetch(aws.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${aws.accessKeyId}/20260101/${aws.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15',
  });
  if (!res.ok) throw new Error(`DescribeSubnets: HTTP ${res.status}`);
  return [...(await res.text()).matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1]!);
}

/** A DB subnet group over the default VPC's subnets, as examples/servio.yaml expects to exist. */
export async function createSubnetGroup(rds: RDSClient, aws: EmulatorAccess, name: string): Promise<void> {
  const subnets = await defaultSubnetIds(aws);
  if (subnets.length === 0) throw new Error('the emulator has no default subnets');
  await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: name, DBSubnetGroupDescription: 'test', SubnetIds: subnets }));
}
