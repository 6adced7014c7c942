import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultText } from './load.js';
import { SETTINGS } from './settings.js';

/** The configuration reference of the operations guide: `| `--flag` | `ENV` | default ... |` rows. */
function referenceRows(): Map<string, { env: string; default: string }> {
  const guide = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
  const rows = new Map<string, { env: string; default: string }>();
  for (const match of guide.matchAll(/^\| `(--[a-z-]+)` \| `([A-Z_]+)` \| ([^|]+) \|$/gm))
    rows.set(match[1]!, { env: match[2]!, default: match[3]!.replace(/`/g, '').trim() });
  return rows;
}

describe('the configuration reference of the operations guide', () => {
  it('lists every setting with its variable and the default the operator applies', () => {
    const rows = referenceRows();
    expect([...rows.keys()].sort()).toEqual(SETTINGS.map((s) => s.flag).sort());
    for (const s of SETTINGS) {
      const row = rows.get(s.flag)!;
      expect(row.env, s.flag).toBe(s.env);
      expect(row.default.startsWith(defaultText(s)), `${s.flag}: "${row.default}" should begin with "${defaultText(s)}"`).toBe(true);
    }
  });
});
