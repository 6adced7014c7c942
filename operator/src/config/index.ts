export { loadConfig, parseArgs, helpText, ConfigError, HelpRequested, type ConfigSources, type Config } from './load.js';
export { configSchema, LOG_LEVELS, type LogLevel, type OperatorConfig } from './schema.js';
export { SETTINGS, type Setting, type SettingKey } from './settings.js';
export { parseDuration, formatDuration } from './duration.js';
