// Reads the configuration from command-line flags and environment variables (a flag wins over its variable)
// and validates it. Pure: the caller passes argv and env, so tests need no process state.
import { hostname } from 'node:os';
import type { z } from 'zod';
import { formatDuration } from './duration.js';
import { configSchema, type OperatorConfig } from './schema.js';
import { SETTINGS, settingByFlag, settingByKey, type Setting, type SettingKey } from './settings.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type ParsedArgs = { help: true } | { help: false; values: Partial<Record<SettingKey, string>> };

/** Accepts `--flag value`, `--flag=value`, and a boolean flag alone. Unknown flags are errors: a typo must not
 * silently leave a setting at its default. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values: Partial<Record<SettingKey, string>> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument "${arg}" (settings are given as --name=value)`);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const setting = settingByFlag(flag);
    if (!setting) {
      problems.push(`unknown flag ${flag} (see --help)`);
      continue;
    }
    if (eq !== -1) {
      values[setting.key] = arg.slice(eq + 1);
    } else if (setting.boolean) {
      values[setting.key] = 'true';
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      values[setting.key] = argv[++i]!;
    } else {
      problems.push(`${flag} needs a value`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { help: false, values };
}

function describe(key: string): string {
  const setting = settingByKey(key);
  return setting ? `${setting.flag} (env ${setting.env})` : key;
}

function problemsOf(error: z.ZodError, raw: Partial<Record<SettingKey, string>>): string[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const value = raw[key as SettingKey];
    const shown = value === undefined ? '' : ` = ${JSON.stringify(value)}`;
    return `${describe(key)}${shown}: ${issue.message}`;
  });
}

export interface ConfigSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

/** The configuration after loading: the holder identity always has a value. */
export type Config = Omit<OperatorConfig, 'identity'> & { identity: string };

export function loadConfig({ argv, env }: ConfigSources): Config {
  const parsed = parseArgs(argv);
  if (parsed.help) throw new HelpRequested();
  const raw: Partial<Record<SettingKey, string>> = {};
  for (const setting of SETTINGS) {
    const value = parsed.values[setting.key] ?? env[setting.env];
    if (value !== undefined) raw[setting.key] = value;
  }
  // The Deployment passes its namespace through the downward API; a Lease lives beside the operator.
  if (raw.leaseNamespace === undefined && env.POD_NAMESPACE) raw.leaseNamespace = env.POD_NAMESPACE;
  // A set-but-empty region is the chart's "not configured": report it as missing, not as malformed.
  if (raw.awsRegion?.trim() === '') delete raw.awsRegion;
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(problemsOf(result.error, raw));
  return { ...result.data, identity: result.data.identity ?? hostname() };
}

export class HelpRequested extends Error {
  constructor() {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** What a setting is when left unset, read from the schema's own defaults so that `--help` cannot drift from them. */
export function defaultText(setting: Setting): string {
  // The region has no default; a placeholder lets the schema fill in every other one.
  const defaults: Record<string, unknown> = configSchema.parse({ awsRegion: 'us-east-1' });
  const value = setting.key === 'awsRegion' ? undefined : defaults[setting.key];
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    if (setting.unset === undefined) throw new Error(`setting ${setting.key} has no default and says nothing of being unset`);
    return setting.unset;
  }
  return setting.duration === true && typeof value === 'number' ? formatDuration(value) : String(value);
}

export function helpText(): string {
  const lines = ['Usage: node dist/main.js [--flag=value ...]', '', 'Every flag can also be set by its environment variable; a flag wins.', ''];
  for (const s of SETTINGS) lines.push(`  ${s.flag.padEnd(34)} ${s.env.padEnd(32)} ${s.description} (default: ${defaultText(s)})`);
  return lines.join('\n');
}
