// A replica promoted to a standalone database behind the operator's back. The emulator keeps reporting the source
// after PromoteReadReplica, so the promoted instance is put in place by hand: an instance with the replica's
// identifier and tags, replicating nothing.
import { CreateDBInstanceCommand, DeleteDBInstanceCommand, type DBInstance, type RDSClient } from '@aws-sdk/client-rds';
import { eventually } from '../../env/helpers.js';

export async function promoteByHand(rds: RDSClient, replicaId: string, instances: () => Promise<Map<string, DBInstance>>): Promise<void> {
  const tags = (await instances()).get(replicaId)?.TagList;
  await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: replicaId, SkipFinalSnapshot: true }));
  await eventually('the replica to be gone', async () => ((await instances()).has(replicaId) ? undefined : true));
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: replicaId,
      Engine: 'postgres',
      EngineVersion: '15.4',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'app',
      MasterUserPassword: 'promoted-12345',
      Tags: tags,
    }),
  );
}
