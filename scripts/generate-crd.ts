// npm run generate: writes the ReplicaSetDB CRD wherever the repository ships it, and the settings table of the
// operations guide.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_DIRS, CRD_FILE_NAME, renderCrdYaml } from '../operator/src/api/crd-yaml.js';
import { SETTINGS_DOC_FILE, withSettingsTable } from '../operator/src/rds/settings/doc.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yaml = renderCrdYaml();
for (const dir of CRD_DIRS) {
  const file = join(root, dir, CRD_FILE_NAME);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, yaml);
  console.log(`wrote ${join(dir, CRD_FILE_NAME)}`);
}

const doc = join(root, SETTINGS_DOC_FILE);
await writeFile(doc, withSettingsTable(await readFile(doc, 'utf8')));
console.log(`wrote the settings table of ${SETTINGS_DOC_FILE}`);
