import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CRD_DIRS, CRD_FILE_NAME, renderCrdYaml } from './crd-yaml.js';

describe('the committed CRD', () => {
  const generated = renderCrdYaml();
  it.each(CRD_DIRS)('%s matches the schema (run `npm run generate` after changing it)', (dir) => {
    const committed = readFileSync(new URL(`../../../${dir}/${CRD_FILE_NAME}`, import.meta.url), 'utf8');
    expect(committed).toBe(generated);
  });
});
