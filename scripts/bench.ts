// `npm run bench`: every benchmark, each printing its figures and ratios against a baseline run in the same
// process. `npm run bench -- operator client` runs a subset. Benchmarks start the same real servers as the tests.
import { KubeConfig } from '@kubernetes/client-node';
import { startEnvironment } from '../test/env/environment.js';
import { benchOperator } from './bench/operator.js';
import { benchOperatorMemory } from './bench/operator-memory.js';
import { benchTopology } from './bench/topology.js';
import { benchClientRouter } from '../client/bench/router.bench.js';

const ALL = ['operator', 'topology', 'client'] as const;
type Bench = (typeof ALL)[number];
const requested = process.argv.slice(2).filter((a) => a !== '--');
const unknown = requested.filter((a) => !(ALL as readonly string[]).includes(a));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  process.exit(2);
}
const selected = new Set<Bench>(requested.length > 0 ? (requested as Bench[]) : ALL);

const needsKube = selected.has('operator') || selected.has('topology');
const env = await startEnvironment({ kube: needsKube, aws: needsKube, postgres: selected.has('client') });
let failed = false;
try {
  const kc = new KubeConfig();
  if (needsKube) kc.loadFromFile(env.kube!.kubeconfigPath);
  if (selected.has('operator')) {
    await benchOperator(kc, env.aws!);
    await benchOperatorMemory(kc, env.kube!.kubeconfigPath, env.aws!);
  }
  if (selected.has('topology')) await benchTopology(kc, env.aws!);
  if (selected.has('client')) {
    console.log('\n[client] router throughput on real PostgreSQL streaming replicas');
    await benchClientRouter(env.postgres!);
  }
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await env.stop();
}
process.exit(failed ? 1 : 0);
