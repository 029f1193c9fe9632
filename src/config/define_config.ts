// `defineConfig` for TypeScript/JavaScript configs: an identity function whose only job
// is to give editors the config types, as in `export default defineConfig({ sync: [...] })`.
// Validation happens when the file is loaded (load_module.ts), not here.
import type { ConfigInput } from './schema.js';

export function defineConfig<const T extends ConfigInput>(config: T): T {
  return config;
}
