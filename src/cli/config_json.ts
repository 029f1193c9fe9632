// `check-config --json`: the normalised config (src/config/schema.ts NormalizedConfig) as JSON.
// Function actions (TS/JS configs) cannot be serialised and are shown as "[function]";
// undefined keys are omitted (JSON has no undefined). Exit-code tables keep their numeric keys as
// strings, which is how JSON writes them.
import type { NormalizedConfig } from '../config/schema.js';

export function configToJson(config: NormalizedConfig): string {
  return JSON.stringify(config, (_key, value: unknown) => (typeof value === 'function' ? '[function]' : value), 2);
}
