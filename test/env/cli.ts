// `npm run env:up`: starts the local environment (control plane, RDS emulator, PostgreSQL) for manual work and
// keeps it running until Ctrl-C.
import { startEnvironment } from './environment.js';

const env = await startEnvironment({ kube: true, aws: true, postgres: true, tools: true });
console.log(JSON.stringify({ kube: env.kube, aws: env.aws, postgres: env.postgres, tools: env.tools, logs: env.logDir }, null, 2));
console.log(`\nexport KUBECONFIG=${env.kube!.kubeconfigPath}\nPress Ctrl-C to stop.`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await env.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
