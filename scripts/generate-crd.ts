// npm run generate: writes the ReplicaSetDB CRD wherever the repository ships it.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_DIRS, CRD_FILE_NAME, renderCrdYaml } from '../operator/src/api/crd-yaml.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yaml = renderCrdYaml();
for (const dir of CRD_DIRS) {
  const file = join(root, dir, CRD_FILE_NAME);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, yaml);
  console.log(`wrote ${join(dir, CRD_FILE_NAME)}`);
}
