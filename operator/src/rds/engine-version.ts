// PostgreSQL engine versions as RDS names them: "15.4", "16" (newest minor), "9.6.24". Since PostgreSQL 10 the
// major version is the first number; before it, the first two.

export interface EngineVersion {
  major: string;
  /** Absent for a major-only version such as "16". */
  minor?: number;
  parts: number[];
}

/** Reads the leading dotted number: RDS Extended Support versions carry a suffix (11.22-rds.20240418) that does
 * not change which major and minor they are. */
export function parseEngineVersion(version: string): EngineVersion | undefined {
  const numeric = /^([0-9]+(?:\.[0-9]+)*)(?:-[A-Za-z0-9.]+)?$/.exec(version)?.[1];
  if (numeric === undefined) return undefined;
  const parts = numeric.split('.').map(Number);
  const first = parts[0]!;
  if (first >= 10) return { major: String(first), minor: parts[1], parts };
  if (parts.length < 2) return { major: String(first), parts };
  return { major: `${first}.${parts[1]}`, minor: parts[2], parts };
}

/** The DB parameter group family: postgres15 for 15.4, postgres9.6 for 9.6.24. */
export function parameterGroupFamily(version: string): string {
  const parsed = parseEngineVersion(version);
  if (parsed === undefined) throw new Error(`not an engine version: ${version}`);
  return `postgres${parsed.major}`;
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * What running `observed` means for a spec asking for `desired`:
 * - `satisfied`: the same version, a newer minor of the same major (RDS upgrades minors by itself; fighting that
 *   would downgrade), or any minor when the spec names only the major.
 * - `minor-upgrade` / `major-upgrade`: RDS must be asked to upgrade.
 * - `downgrade`: RDS cannot do it.
 */
export type EngineVersionVerdict = 'satisfied' | 'minor-upgrade' | 'major-upgrade' | 'downgrade';

export function compareEngineVersions(desired: string, observed: string): EngineVersionVerdict {
  const want = parseEngineVersion(desired);
  const have = parseEngineVersion(observed);
  if (want === undefined || have === undefined) return desired === observed ? 'satisfied' : 'downgrade';
  const majorOrder = compareNumbers(want.major.split('.').map(Number), have.major.split('.').map(Number));
  if (majorOrder > 0) return 'major-upgrade';
  if (majorOrder < 0) return 'downgrade';
  const wantRest = want.parts.slice(want.major.split('.').length);
  if (wantRest.length === 0) return 'satisfied';
  const haveRest = have.parts.slice(have.major.split('.').length);
  return compareNumbers(wantRest, haveRest) > 0 ? 'minor-upgrade' : 'satisfied';
}
