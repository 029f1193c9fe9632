// The package version, read from package.json at run time (one truth; `-version` prints
// `Version: <version>` like lsyncd's `Version: 2.2.3`, docs/lsyncd-compat.md#command-line).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  // dist/src/cli/version.js → ../../../package.json
  const raw: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const v = typeof raw === 'object' && raw !== null && 'version' in raw ? (raw as { version: unknown }).version : undefined;
  cached = typeof v === 'string' ? v : 'unknown';
  return cached;
}
