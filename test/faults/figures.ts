// The suite's figures: each scenario writes its row into .cache/faults/figures.json (git-ignored), and the
// markdown table pasted into docs/reliability.md is regenerated from all rows.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../env/cache.js';

export interface ScenarioFigures {
  scenario: string;
  runs: number;
  crashPoints: number;
  faultsInjected: number;
  invariantsChecked: number;
  violations: number;
  seconds: number;
  notes: string;
}

export const FIGURES_DIR = join(projectRoot, '.cache', 'faults');

export function recordFigures(row: ScenarioFigures): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const file = join(FIGURES_DIR, 'figures.json');
  const rows = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ScenarioFigures[]) : [];
  const next = [...rows.filter((r) => r.scenario !== row.scenario), { ...row, recordedAt: new Date().toISOString() }];
  writeFileSync(file, JSON.stringify(next, null, 2));
  const table = [
    '| scenario | runs | crash points | faults injected | invariants checked | violations | seconds | notes |',
    '|---|---|---|---|---|---|---|---|',
    ...next.map(
      (r) =>
        `| ${r.scenario} | ${r.runs} | ${r.crashPoints} | ${r.faultsInjected} | ${r.invariantsChecked} | ${r.violations} | ${r.seconds.toFixed(0)} | ${r.notes} |`,
    ),
  ].join('\n');
  writeFileSync(join(FIGURES_DIR, 'figures.md'), `${table}\n`);
}
