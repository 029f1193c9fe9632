// Starts an Engine in-process on a config given as JSON-shaped data (validated and normalised by
// the real config loader), with a memory log; stopped when the test ends.
import type { TestContext } from 'node:test';

import { loadConfigText } from '../../src/config/load_config.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { memoryLog } from '../../src/log/log.js';

export async function startEngine(
  t: TestContext,
  config: unknown,
  opts: Partial<EngineOptions> = {},
): Promise<{ engine: Engine; log: ReturnType<typeof memoryLog> }> {
  const res = loadConfigText('test-config.json', JSON.stringify(config), 'json');
  if (!res.ok) throw new Error(res.errors.map((e) => e.text).join('\n'));
  const log = memoryLog();
  const engine = new Engine(res.config, { log, ...opts });
  t.after(() => engine.stop(2000));
  await engine.start();
  return { engine, log };
}
