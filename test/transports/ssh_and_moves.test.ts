import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseMoveFailures,
  quoteForRsh,
  remoteMoveScript,
  remoteMovesCommand,
  rshOption,
  rsyncsshDestination,
  shQuoteBytes,
  sshArgs,
} from '../../src/transports/rsync/index.js';

test('sshArgs docs/lsyncd-compat.md#rsyncssh-mode-keys: -i, -o k=v in order, -p, then _extra', () => {
  assert.deepEqual(
    sshArgs({ identityFile: '/etc/lsyncd/id_rsa', options: { StrictHostKeyChecking: 'no', ConnectTimeout: 5 }, port: 2222, _extra: ['-v'] }),
    ['-i', '/etc/lsyncd/id_rsa', '-o', 'StrictHostKeyChecking=no', '-o', 'ConnectTimeout=5', '-p', '2222', '-v'],
  );
  assert.deepEqual(sshArgs({}), []);
});

test('sshArgs with connection sharing', () => {
  assert.deepEqual(sshArgs({ port: 22 }, { path: '/run/user/1/lsyncd-ts/%C' }), [
    '-o', 'ControlMaster=auto', '-o', 'ControlPath=/run/user/1/lsyncd-ts/%C', '-o', 'ControlPersist=60', '-p', '22',
  ]);
});

test('rshOption: observed lsyncd 2.2.3 form, plus quoting for rsync\'s splitter', () => {
  assert.equal(
    rshOption({ identityFile: '/etc/lsyncd/id_rsa', options: { StrictHostKeyChecking: 'no' }, port: 2222 }),
    '--rsh=ssh -i /etc/lsyncd/id_rsa -o StrictHostKeyChecking=no -p 2222',
  );
  assert.equal(rshOption({ binary: '/opt/my ssh', identityFile: "/k/it's" }), `--rsh='/opt/my ssh' -i "/k/it's"`);
  assert.equal(quoteForRsh(''), "''");
  assert.throws(() => quoteForRsh(`a'b"c`), /both quote characters/);
});

test('rsyncsshDestination', () => assert.equal(rsyncsshDestination('user@h', '/srv/trg/'), 'user@h:/srv/trg/'));

test('remoteMovesCommand: ONE ssh running "sh -s" with the script on stdin', () => {
  const cmd = remoteMovesCommand({
    ssh: { port: 2222 }, host: 'user@remote', targetdir: '/srv/trg/', delete: true,
    moves: [{ origin: '/d1/', destination: '/d1r/' }, { origin: '/a', destination: '/b' }],
  });
  assert.equal(cmd.binary, 'ssh');
  assert.deepEqual(cmd.args, ['-p', '2222', 'user@remote', 'sh', '-s']);
  const script = cmd.stdin!.toString('latin1');
  assert.match(script, /^m '\/srv\/trg\/d1' '\/srv\/trg\/d1r' \|\| \{ echo 'F 0'; rm -rf -- '\/srv\/trg\/d1'; \}$/m);
  assert.match(script, /^m '\/srv\/trg\/a' '\/srv\/trg\/b' \|\| \{ echo 'F 1'; rm -rf -- '\/srv\/trg\/a'; \}$/m);
  assert.throws(() => remoteMovesCommand({ ssh: {}, host: '-oProxyCommand=x', targetdir: '/t/', delete: true, moves: [] }), /invalid ssh host/);
});

test('remote move fallback follows the delete mode', () => {
  for (const [mode, rm] of [[true, true], ['running', true], ['startup', false], [false, false]] as const) {
    const s = remoteMoveScript('/t/', [{ origin: '/a', destination: '/b' }], mode).toString();
    assert.equal(s.includes('rm -rf'), rm, String(mode));
  }
  assert.throws(() => remoteMoveScript('/t/', [{ origin: '/', destination: '/b' }], true), /target root/);
});

test('shQuoteBytes', () => {
  assert.equal(shQuoteBytes("it's"), "'it'\\''s'");
  assert.equal(shQuoteBytes('$(x)'), "'$(x)'");
});

test('parseMoveFailures', () => assert.deepEqual(parseMoveFailures('F 2\nnoise\nF 10\n'), [2, 10]));

// The script is only text for a remote /bin/sh; run it through the local /bin/sh to prove the
// quoting on real names (the remote side of an ssh call does exactly this with stdin).
test('remote move script on a real sh: hostile names move, nothing is executed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsyncd-ts-moves-'));
  try {
    const nonUtf8 = Buffer.concat([Buffer.from('/raw'), Buffer.from([0xff, 0xfe])]);
    const names: [string | Buffer, string | Buffer][] = [
      ["/it's", '/$(touch PWNED)'],
      ['/-rf', '/new\nline'],
      ['/`touch PWNED2`', '/sp ace *?[x]\\'],
      [nonUtf8, '/plain'],
      ['/dir/', '/emptydir/'], // onto an existing EMPTY dir: replaces it, like rename(2)
      ['/full-src', '/fulldir'], // onto a non-empty dir: must fail, not move into it
      ['/missing', '/wherever'],
      ['/into-link', '/link'], // onto a symlink to a dir: replaces the link, not into the dir
    ];
    for (const [o] of names) {
      const p = Buffer.concat([Buffer.from(dir), typeof o === 'string' ? Buffer.from(o) : o]);
      if (String(o).endsWith('/')) mkdirSync(p);
      else if (o !== '/missing') writeFileSync(p, 'x');
    }
    mkdirSync(join(dir, 'emptydir'));
    mkdirSync(join(dir, 'fulldir'));
    writeFileSync(join(dir, 'fulldir', 'keep'), 'k');
    symlinkSync('fulldir', join(dir, 'link'));
    const script = remoteMoveScript(`${dir}/`, names.map(([origin, destination]) => ({ origin, destination })), true);
    const r = spawnSync('sh', ['-s'], { input: script, cwd: dir });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(parseMoveFailures(r.stdout.toString()), [5, 6]);
    const listing = readdirSync(dir).sort();
    assert.deepEqual(listing, ['$(touch PWNED)', 'emptydir', 'fulldir', 'link', 'new\nline', 'plain', 'sp ace *?[x]\\'].sort());
    assert.equal(existsSync(join(dir, 'fulldir', 'keep')), true);
    assert.equal(existsSync(join(dir, 'fulldir', 'full-src')), false);
    assert.equal(lstatSync(join(dir, 'link')).isFile(), true);
    assert.equal(existsSync(join(dir, 'fulldir', 'into-link')), false);
    // delete=true fallback removed the origin of the failed move
    assert.equal(existsSync(join(dir, 'full-src')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
