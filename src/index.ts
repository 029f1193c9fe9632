// Public API of the lsyncd-ts package (config helpers and types for TypeScript configs).
export { defineConfig } from './config/define_config.js';
export { loadConfig, loadConfigText, configFormatOf, type ConfigFormat } from './config/load_config.js';
export type { ConfigDiagnostic, LoadResult } from './config/diagnostics.js';
export type { ConfigOverrides } from './config/normalize.js';
export type {
  Action,
  ActionEvent,
  ActionFunction,
  ActionResult,
  Config,
  ConfigInput,
  DeleteMode,
  ExitAction,
  ExitCodes,
  InotifyMode,
  NormalizedConfig,
  NormalizedCustomSync,
  NormalizedDirectSync,
  NormalizedRsyncSync,
  NormalizedRsyncsshSync,
  NormalizedSettings,
  NormalizedSync,
  ResolvedRsyncOptions,
  ResolvedSshOptions,
  RsyncOptions,
  Settings,
  SshOptions,
  SyncConfig,
  SyncConfigInput,
  SyncMode,
} from './config/schema.js';
