// Source and target paths that are not valid UTF-8, given on the command line and in Lua
// configs (rsync, rsyncssh over a loopback sshd, direct), through the real bin/lsyncd-ts: the
// mirror lands in exactly the directory named by those bytes (never in the U+FFFD-mangled
// twin), at the init transfer and for later events.
// Node's child_process cannot put such bytes into an argv, so the daemon is exec'd by a small
// `sh -c` that builds the names with printf.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { startSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';
import { killFromPidfileAfter } from '../daemon/daemon_harness.js';
import { waitFor } from '../helpers/wait_for.js';
import { BIN, runBin } from './run_bin.js';

/** `base` + the raw bytes of `name` (a latin1 string: one char per byte). */
const raw = (base: string, name: string): Buffer => Buffer.concat([Buffer.from(`${base}/`), Buffer.from(name, 'latin1')]);
const child = (dir: Buffer, name: string): Buffer => Buffer.concat([dir, Buffer.from(`/${name}`)]);
const has = (file: Buffer, text: string): boolean => existsSync(file) && readFileSync(file, 'utf8') === text;

/**
 * Runs `sh -c 'exec node BIN <args>'` where `args` is shell code (may use $B, the base dir, and
 * printf for bytes); stopped with TERM when the test ends. Returns its output so far.
 */
function startDaemonSh(t: TestContext, base: string, args: string, env: NodeJS.ProcessEnv = {}): () => string {
  const p = spawn('/bin/sh', ['-c', `B="$1"; exec "$0" "$2" ${args}`, process.execPath, base, BIN], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  p.stdout.on('data', (c: Buffer) => (out += c.toString()));
  p.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  t.after(async () => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await exited;
  });
  return () => out;
}

test('-direct with a source named \\xff\\xfe-d: init copy and events arrive, logged as \\xNN', async (t) => {
  const base = tempDir(t);
  const src = raw(base, '\xff\xfe-d');
  mkdirSync(src);
  writeFileSync(child(src, 'before'), 'at init');
  const out = startDaemonSh(t, base, `-nodaemon -delay 0 -direct "$(printf '%s/\\377\\376-d' "$B")" "$B/t"`);
  const dst = path.join(base, 't');
  await waitFor(() => has(Buffer.from(`${dst}/before`), 'at init'), `the init copy\n${out()}`);
  writeFileSync(child(src, 'after'), 'by event');
  await waitFor(() => has(Buffer.from(`${dst}/after`), 'by event'), `the event copy\n${out()}`);
  assert.match(out(), /\\xff\\xfe-d/, 'the path is shown with \\xNN escapes');
  assert.doesNotMatch(out(), /Cannot access source directory/);
});

test('-rsync to a target named t-\\xff: the mirror lands there, never in t-\\xef\\xbf\\xbd', async (t) => {
  const base = tempDir(t);
  const src = path.join(base, 'src');
  mkdirSync(src);
  writeFileSync(path.join(src, 'before'), 'at init');
  const dst = raw(base, 't-\xff');
  mkdirSync(dst);
  writeFileSync(child(dst, 'stale'), 'removed by --delete');
  const out = startDaemonSh(t, base, `-nodaemon -delay 0 -rsync "$B/src" "$(printf '%s/t-\\377' "$B")"`);
  await waitFor(() => has(child(dst, 'before'), 'at init'), `the init transfer\n${out()}`);
  writeFileSync(path.join(src, 'after'), 'by event');
  await waitFor(() => has(child(dst, 'after'), 'by event'), `the event transfer\n${out()}`);
  assert.equal(existsSync(child(dst, 'stale')), false);
  assert.equal(existsSync(raw(base, 't-\xef\xbf\xbd')), false, 'no U+FFFD twin of the target');
});

/** A temp dir with source `s\xff` (holding `before`) and an empty target `t\xfe`, as raw bytes. */
function byteNamedPair(t: TestContext): { base: string; src: Buffer; dst: Buffer } {
  const base = tempDir(t);
  const src = raw(base, 's\xff');
  const dst = raw(base, 't\xfe');
  mkdirSync(src);
  mkdirSync(dst);
  writeFileSync(child(src, 'before'), 'at init');
  return { base, src, dst };
}

test('a Lua config with source "\\255" and target "\\254" escapes syncs exactly those directories', async (t) => {
  const { base, src, dst } = byteNamedPair(t);
  const config = path.join(base, 'config.lua');
  const status = path.join(base, 'status');
  writeFileSync(
    config,
    `settings { nodaemon = true, statusFile = "${status}", statusInterval = 1 }\nsync { default.rsync, source = "${base}/s\\255", target = "${base}/t\\254", delay = 0 }\n`,
  );
  const out = startDaemonSh(t, base, `"$B/config.lua"`);
  await waitFor(() => has(child(dst, 'before'), 'at init'), `the init transfer\n${out()}`);
  writeFileSync(child(src, 'after'), 'by event');
  await waitFor(() => has(child(dst, 'after'), 'by event'), `the event transfer\n${out()}`);
  assert.equal(existsSync(raw(base, 't\xef\xbf\xbd')), false, 'no U+FFFD twin of the target');
  // The status file and its JSON twin show the bytes as \xNN.
  // The JSON twin is written just before the text file: wait for both.
  await waitFor(() => existsSync(`${status}.json`) && existsSync(status), 'the status file and its JSON twin');
  const expected = `${base}/s\\xff/ -> ${base}/t\\xfe/`;
  // (the text form escapes each backslash once more: lineSafe)
  assert.ok(readFileSync(status, 'utf8').includes(expected.replace(/\\/g, '\\\\')), readFileSync(status, 'utf8'));
  const json = JSON.parse(readFileSync(`${status}.json`, 'utf8')) as { syncs: { description: string; source: string }[] };
  assert.equal(json.syncs[0]?.description, expected);
  assert.equal(json.syncs[0]?.source, `${base}/s\\xff/`);
});

test('daemon mode: the launcher hands the exact bytes of a -direct source to its daemon', async (t) => {
  const base = tempDir(t);
  const src = raw(base, 'd-\xff');
  mkdirSync(src);
  writeFileSync(child(src, 'before'), 'at init');
  killFromPidfileAfter(t, path.join(base, 'pid'));
  const out = startDaemonSh(t, base, `-pidfile "$B/pid" -logfile "$B/log" -delay 0 -direct "$(printf '%s/d-\\377' "$B")" "$B/t"`);
  const dst = path.join(base, 't');
  await waitFor(() => has(Buffer.from(`${dst}/before`), 'at init'), `the init copy\n${out()}`);
  writeFileSync(child(src, 'after'), 'by event');
  await waitFor(() => has(Buffer.from(`${dst}/after`), 'by event'), `the event copy\n${out()}`);
  assert.match(readFileSync(path.join(base, 'log'), 'utf8'), /d-\\xff\/ -> /);
});

test('check-config and sysctl find a non-UTF-8 source; the bytes are printed as \\xNN', (t) => {
  const base = tempDir(t);
  mkdirSync(child(raw(base, 's\xff'), 'sub'), { recursive: true });
  const config = path.join(base, 'config.lua');
  writeFileSync(config, `sync { default.rsync, source = "${base}/s\\255", target = "${base}/t\\254" }\n`);
  const r = runBin(['check-config', config], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/, 'the source exists: no missing-source warning');
  assert.ok(r.stdout.includes(`sync[1] rsync: ${base}/s\\xff/ → ${base}/t\\xfe/`), r.stdout);
  assert.ok(r.stdout.includes(`$'${base}/s\\xff/' $'${base}/t\\xfe/'`), r.stdout);
  assert.doesNotMatch(r.stdout, /\ufffd/);
  const counted = runBin(['sysctl', config], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
  assert.match(counted.stdout, new RegExp(`Directories to watch: 2 [\\s\\S]*sync\\[1\\] ${base}/s\\\\xff`), counted.stdout + counted.stderr);
});

/** A Lua string literal: JSON's quoting is valid Lua for the ASCII paths and options used here. */
const lua = (s: string): string => JSON.stringify(s);

test('rsyncssh from a Lua config: source "\\255" and targetdir "\\254" (transfers and remote moves)', async (t) => {
  const sshd = await startSshd(t);
  const { base, src, dst } = byteNamedPair(t);
  const options = Object.entries(sshd.sshTable.options).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`).join(', ');
  const sshTable = `ssh = { port = ${sshd.port}, identityFile = ${lua(sshd.identityFile)}, options = { ${options} }, _extra = { "-F", "none" } }`;
  const config = path.join(base, 'config.lua');
  writeFileSync(
    config,
    `settings { nodaemon = true }\nsync { default.rsyncssh, source = "${base}/s\\255", host = ${lua(`${sshd.user}@${sshd.host}`)}, targetdir = "${base}/t\\254", delay = 0, ${sshTable} }\n`,
  );
  const out = startDaemonSh(t, base, `"$B/config.lua"`);
  await waitFor(() => has(child(dst, 'before'), 'at init'), `the init transfer\n${out()}`);
  writeFileSync(child(src, 'after'), 'by event');
  await waitFor(() => has(child(dst, 'after'), 'by event'), `the event transfer\n${out()}`);
  renameSync(child(src, 'after'), child(src, 'moved'));
  await waitFor(() => has(child(dst, 'moved'), 'by event') && !existsSync(child(dst, 'after')), `the remote move\n${out()}`);
  assert.equal(existsSync(raw(base, 't\xef\xbf\xbd')), false, 'no U+FFFD twin of the target');
});

test("Node's own spawn (LSYNCD_TS_NODE_SPAWN=1) refuses a non-UTF-8 target clearly instead of mangling it", async (t) => {
  const base = tempDir(t);
  mkdirSync(path.join(base, 'src'));
  writeFileSync(path.join(base, 'src/f'), 'x');
  mkdirSync(raw(base, 't-\xff'));
  const out = startDaemonSh(t, base, `-nodaemon -delay 0 -rsync "$B/src" "$(printf '%s/t-\\377' "$B")"`, { LSYNCD_TS_NODE_SPAWN: '1' });
  await waitFor(() => /t-\\xff\/? is not valid UTF-8 .*unset LSYNCD_TS_NODE_SPAWN/.test(out()), `the refusal\n${out()}`);
  assert.equal(existsSync(raw(base, 't-\xef\xbf\xbd')), false, 'no U+FFFD twin of the target');
  assert.equal(existsSync(child(raw(base, 't-\xff'), 'f')), false);
});
