// The oldest PostgreSQL major version RDS still creates instances of (11, under RDS Extended Support); 10 and older
// are refused by CreateDBInstance and were upgraded away by RDS, so a spec naming one can never be met.
import type { CelRule } from './cel.js';
import { patterns } from './patterns.js';

export const MIN_ENGINE_MAJOR = 11;

const majorOf = (version: string) => Number(version.split('.')[0]);

export const engineVersionRules: readonly CelRule<string>[] = [
  {
    // The format check first: the API server runs CEL even on a value its pattern refused.
    rule: `!self.matches('${patterns.engineVersion.source.replace(/\\/g, '\\\\')}') || int(self.split('.')[0]) >= ${MIN_ENGINE_MAJOR}`,
    message: `RDS offers PostgreSQL ${MIN_ENGINE_MAJOR} and newer; set a major version of ${MIN_ENGINE_MAJOR} or more, e.g. 16`,
    holds: (version) => !patterns.engineVersion.test(version) || majorOf(version) >= MIN_ENGINE_MAJOR,
  },
];
