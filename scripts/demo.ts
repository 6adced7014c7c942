// `npm run demo`: the main job on the embedded default. Starts the local control plane and the RDS emulator
// (the same code the tests use) and reports what it started. The operator itself is wired in by the
// reconciler work; until then the demo says so and stops cleanly.
import { startEnvironment } from '../test/env/environment.js';

const env = await startEnvironment({ kube: true, aws: true, tools: true });
try {
  console.log(`control plane: kube-apiserver ${env.kube!.version} at ${env.kube!.server} (kubeconfig ${env.kube!.kubeconfigPath})`);
  console.log(`RDS emulator:  ${env.aws!.endpoint}`);
  console.log('missing: the operator reconcile loop is not built yet, so examples/servio.yaml is not applied.');
} finally {
  await env.stop();
}
