// V8 tiering for the daemon process: compile every function to baseline machine code
// (Sparkplug) the first time it runs, instead of interpreting it until it has run often enough.
//
// Why: a change at delay 0 runs a few hundred functions once (watcher batch → queue → scheduler
// → transport), and on a quiet mirror they run seldom, so V8 would keep them in its bytecode
// interpreter for good, a noticeable part of a change's latency at delay 0. The price is a little
// start-up time and memory (both measured in bench/RESULTS.md). Sparkplug is V8's regular
// baseline tier (enabled by default); the flag only moves its start to the first call. The
// optimizing tiers are unchanged.
//
// Contract: call once, in the process that runs the engine, before its hot paths first run
// (functions already compiled keep their code). Never throws: on a Node whose V8 does not know
// the flag, V8 ignores it and nothing changes.
import { setFlagsFromString } from 'node:v8';

export function compileEagerly(): void {
  try {
    setFlagsFromString('--always-sparkplug');
  } catch {
    // not fatal: only a speed-up
  }
}
