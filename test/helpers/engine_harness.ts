// Starts an Engine in-process on a config given as JSON-shaped data (validated and normalised by
// the real config loader), with a memory log; stopped when the test ends. The engine gets what the
// daemon gives it (the real transports and the real inotify watcher) unless `opts` replaces them
// (e.g. test/helpers/fake_watcher.ts). `watchers` lists the real watchers it created (one per
// inotify instance: usually one for the whole engine, src/engine/shared_watches.ts), for tests
// that use their test-only hooks.
import type { TestContext } from 'node:test';

import { loadConfigText } from '../../src/config/load_config.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { memoryLog } from '../../src/log/log.js';
import { defaultTransportFactory } from '../../src/transports/transport_factory.js';
import { Watcher } from '../../src/watcher/watcher.js';

export async function startEngine(
  t: TestContext,
  config: unknown,
  opts: Partial<EngineOptions> = {},
): Promise<{ engine: Engine; log: ReturnType<typeof memoryLog>; watchers: Watcher[] }> {
  return startLoaded(t, loadConfigText('test-config.json', JSON.stringify(config), 'json'), opts);
}

/** The same for an lsyncd Lua config text (Lua functions survive, unlike JSON-shaped data). */
export async function startLuaEngine(
  t: TestContext,
  luaText: string,
  opts: Partial<EngineOptions> = {},
): Promise<{ engine: Engine; log: ReturnType<typeof memoryLog>; watchers: Watcher[] }> {
  return startLoaded(t, loadConfigText('test-config.lua', luaText, 'lua'), opts);
}

async function startLoaded(
  t: TestContext,
  res: ReturnType<typeof loadConfigText>,
  opts: Partial<EngineOptions>,
): Promise<{ engine: Engine; log: ReturnType<typeof memoryLog>; watchers: Watcher[] }> {
  if (!res.ok) throw new Error(res.errors.map((e) => e.text).join('\n'));
  const log = memoryLog();
  const watchers: Watcher[] = [];
  const engine = new Engine(res.config, {
    log,
    transportFactory: defaultTransportFactory,
    watcherFactory: (watcherOpts, onBatch) => {
      const w = new Watcher(watcherOpts, onBatch);
      watchers.push(w);
      return w;
    },
    ...opts,
  });
  t.after(() => engine.stop(2000));
  await engine.start();
  return { engine, log, watchers };
}
