import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS_DOC_FILE, renderSettingsTable, withSettingsTable } from './doc.js';

describe('the settings table of the operations guide', () => {
  it('matches the settings table rows (run `npm run generate` after changing them)', () => {
    const committed = readFileSync(new URL(`../../../../${SETTINGS_DOC_FILE}`, import.meta.url), 'utf8');
    expect(withSettingsTable(committed)).toBe(committed);
  });

  it('names each setting with its request keys, rule and disruption', () => {
    expect(renderSettingsTable()).toContain(
      '| `primary.allocatedStorageGiB` | `AllocatedStorage` / `AllocatedStorage` / `AllocatedStorage` | primary, replica | never smaller',
    );
    expect(renderSettingsTable()).toMatch(
      /\| `storageEncrypted` \| `StorageEncrypted` \/ `-` \/ `StorageEncrypted` \| primary \| .* \| replacement \| never: reported \|/,
    );
  });
});
