// Run as a child process by close.int.test.ts: uses a router fully, closes it, and reports what is still
// holding the event loop. It never calls process.exit: the parent fails the test if this process does not end.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createReplicaRouter, type TopologyInput } from '../../src/index.js';

const { topology, username, password, dir } = JSON.parse(process.env.ROUTER_CHILD_CONFIG ?? '{}') as {
  topology: TopologyInput;
  username: string;
  password: string;
  dir: string;
};
const file = join(dir, 'topology.json');
await writeFile(file, JSON.stringify(topology));

const db = await createReplicaRouter({ topologyFile: file, credentials: { username, password }, lagCheckIntervalMs: 50 });
db.on('error', (err) => console.error('router error:', err.message));
await db.read('SELECT 1');
await db.criticalRead('SELECT 1');
await db.write('SELECT 1');
await db.transaction(async (tx) => {
  await tx.query('SELECT 1');
});
const session = db.session();
await session.write('SELECT 1');
await session.read('SELECT 1');
await writeFile(file, JSON.stringify({ ...topology, revision: topology.revision + 1 }));
await new Promise((resolve) => db.once('topology', resolve));
await new Promise((resolve) => setTimeout(resolve, 200));
await db.close();
// Only what the router could have left behind; stdio handles belong to the process itself.
const leftovers = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
console.log(JSON.stringify({ closed: true, leftovers }));
