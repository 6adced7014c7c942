// The backup and maintenance windows as RDS checks them (CreateDBInstance/ModifyDBInstance,
// PreferredBackupWindow and PreferredMaintenanceWindow): each at least 30 minutes, and the two must not overlap.
// A window may wrap (23:30-00:30, Sun:23:30-Mon:00:30). Windows that only touch (02:00-03:00 and
// Mon:03:00-Mon:04:00) do not overlap. Each check exists twice, in TypeScript for the parse and in CEL for the
// API server; the CEL is built here from the same offsets so the two cannot drift apart.
import { patterns } from './patterns.js';

export const MIN_WINDOW_MINUTES = 30;
const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Start and length in minutes: from midnight for the daily backup window, from Monday 00:00 for the weekly one. */
interface Span {
  start: number;
  length: number;
}

const modulo = (n: number, m: number) => ((n % m) + m) % m;
const clock = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
const weekly = (text: string) => DAYS.indexOf(text.slice(0, 3).toLowerCase() as (typeof DAYS)[number]) * DAY_MINUTES + clock(text.slice(4));

/** Undefined when the text is not a window at all (the pattern reports that). */
export function backupSpan(window: string): Span | undefined {
  if (!patterns.backupWindow.test(window)) return undefined;
  const start = clock(window.slice(0, 5));
  return { start, length: modulo(clock(window.slice(6, 11)) - start, DAY_MINUTES) };
}

export function maintenanceSpan(window: string): Span | undefined {
  if (!patterns.maintenanceWindow.test(window)) return undefined;
  const start = weekly(window.slice(0, 9));
  return { start, length: modulo(weekly(window.slice(10, 19)) - start, WEEK_MINUTES) };
}

export function isLongEnough(span: Span | undefined): boolean {
  return span === undefined || span.length >= MIN_WINDOW_MINUTES;
}

/** Whether the daily backup window, on any day of the week, shares a minute with the weekly maintenance window. */
export function windowsOverlap(backup: Span | undefined, maintenance: Span | undefined): boolean {
  if (backup === undefined || maintenance === undefined) return false;
  return DAYS.some((_, day) => intersects(day * DAY_MINUTES + backup.start, backup.length, maintenance.start, maintenance.length));
}

/** Two intervals on the week's circle, [a, a + la) and [b, b + lb), share a minute when either starts inside the other. */
function intersects(a: number, la: number, b: number, lb: number): boolean {
  return modulo(b - a, WEEK_MINUTES) < la || modulo(a - b, WEEK_MINUTES) < lb;
}

// CEL. `%` truncates towards zero there too, hence the `+ m) % m`.
const celModulo = (n: string, m: number) => `((${n}) % ${m} + ${m}) % ${m}`;
const celClock = (s: string, at: number) => `(int(${s}.substring(${at}, ${at + 2})) * 60 + int(${s}.substring(${at + 3}, ${at + 5})))`;
const celDay = (s: string, at: number) => `{${DAYS.map((d, i) => `'${d}': ${i}`).join(', ')}}[${s}.substring(${at}, ${at + 3}).lowerAscii()]`;
const celWeekly = (s: string, at: number) => `(${celDay(s, at)} * ${DAY_MINUTES} + ${celClock(s, at + 4)})`;

const celBackupStart = (s: string) => celClock(s, 0);
const celBackupLength = (s: string) => celModulo(`${celClock(s, 6)} - ${celBackupStart(s)}`, DAY_MINUTES);
const celMaintenanceStart = (s: string) => celWeekly(s, 0);
const celMaintenanceLength = (s: string) => celModulo(`${celWeekly(s, 10)} - ${celMaintenanceStart(s)}`, WEEK_MINUTES);

// The API server evaluates CEL rules even on a value its pattern has refused; the arithmetic would then fail with a
// type conversion error, so each rule first checks the format (the pattern reports a bad one on its own).
const celMatches = (s: string, re: RegExp) => `${s}.matches('${re.source}')`;

/** CEL on the backup window field itself. */
export const BACKUP_WINDOW_LENGTH_CEL = `!${celMatches('self', patterns.backupWindow)} || ${celBackupLength('self')} >= ${MIN_WINDOW_MINUTES}`;
/** CEL on the maintenance window field itself. */
export const MAINTENANCE_WINDOW_LENGTH_CEL = `!${celMatches('self', patterns.maintenanceWindow)} || ${celMaintenanceLength('self')} >= ${MIN_WINDOW_MINUTES}`;

/** CEL on the spec: the two windows, when both are set, do not overlap. The API server's CEL has no cel.bind, so the
 * starts and lengths are spelled out where they are used. */
export function windowsDisjointCel(backup: string, maintenance: string): string {
  const b = celBackupStart(backup);
  const bl = celBackupLength(backup);
  const m = celMaintenanceStart(maintenance);
  const ml = celMaintenanceLength(maintenance);
  const overlapOnDay =
    `${celModulo(`d * ${DAY_MINUTES} + ${b} - ${m}`, WEEK_MINUTES)} < ${ml} || ` + `${celModulo(`${m} - d * ${DAY_MINUTES} - ${b}`, WEEK_MINUTES)} < ${bl}`;
  const days = `[${DAYS.map((_, i) => i).join(', ')}]`;
  return (
    `!has(${backup}) || !has(${maintenance}) || !${celMatches(backup, patterns.backupWindow)} || ` +
    `!${celMatches(maintenance, patterns.maintenanceWindow)} || !${days}.exists(d, ${overlapOnDay})`
  );
}
