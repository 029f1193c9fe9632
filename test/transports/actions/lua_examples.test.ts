// lsyncd's example configs (examples/*.lua of lsyncd's repository) where they can run here: the
// config text as shipped, with only its paths (and hosts) pointed at temp trees, the real
// loader, the real engine, real inotify and real children. The ones that use what lsyncd-ts
// refuses (alarm, observefd, inlet.addExclude, text on stdin) fail naming that call.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { loadConfigText } from '../../../src/config/load_config.js';
import { startLuaEngine } from '../../helpers/engine_harness.js';
import { startSshd } from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/temp_tree.js';
import { waitFor } from '../../helpers/wait_for.js';

const q = (s: string): string => JSON.stringify(s);

test('examples/lecho.lua: /bin/echo per event, output in the log', async (t) => {
  const src = tempDir(t);
  const { engine, log } = await startLuaEngine(t, `
local echo = {
	maxProcesses = 1,
	delay = 1,
	onStartup = "/bin/echo telling about ^source",
	onAttrib  = "/bin/echo attrib ^pathname",
	onCreate  = "/bin/echo create ^pathname",
	onDelete  = "/bin/echo delete ^pathname",
	onModify  = "/bin/echo modify ^pathname",
	onMove    = "/bin/echo move ^o.pathname -> ^d.pathname",
}
sync{echo, source=${q(src)}, target="/path/to/trg/"}
`);
  await engine.whenIdle();
  writeFileSync(path.join(src, 'a'), 'x');
  await engine.whenIdle();
  renameSync(path.join(src, 'a'), path.join(src, 'b'));
  await engine.whenIdle();
  const text = log.lines.join('\n');
  assert.match(text, new RegExp(`telling about ${src}/`));
  assert.match(text, /create a/);
  assert.match(text, /move a -> b/);
});

test('examples/lbash.lua: shell strings mirror a tree (its settings{} block left out)', async (t) => {
  const src = tempDir(t);
  const trg = tempDir(t);
  writeFileSync(path.join(src, 'early'), 'e');
  const { engine } = await startLuaEngine(t, `
local prefix = ""
local bash = {
	delay = 0,
	maxProcesses = 1,
	onStartup = [[
if [ "$(ls -A ^source)" ]; then
	cp -r ^source* ^target;
else
	if [ "$(ls -A ^target)" ]; then rm -rf ^target/*; fi
fi]],
	onCreate = prefix..[[cp -r ^sourcePath ^targetPathdir]],
	onModify = prefix..[[cp -r ^sourcePath ^targetPathdir]],
	onDelete = prefix..[[rm -rf ^targetPath]],
	onMove   = prefix..[[mv ^o.targetPath ^d.targetPath]],
}
sync{bash, source=${q(src)}, target=${q(trg + '/')}}
`);
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'early'), 'utf8'), 'e');
  mkdirSync(path.join(src, 'd'));
  await engine.whenIdle();
  writeFileSync(path.join(src, 'd', 'f'), 'data');
  await engine.whenIdle();
  renameSync(path.join(src, 'd'), path.join(src, 'e'));
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'e', 'f'), 'utf8'), 'data');
  rmSync(path.join(src, 'early'));
  await engine.whenIdle();
  assert.equal(existsSync(path.join(trg, 'early')), false);
  assert.equal(existsSync(path.join(trg, 'd')), false);
});

test('examples/lpostcmd.lua: prepare builds the target, rsync over ssh, then the post command on the host over ssh', async (t) => {
  const src = tempDir(t);
  const trg = tempDir(t);
  const sshd = await startSshd(t);
  const ssh = ['/usr/bin/ssh', ...sshd.sshArgv].join(' ');
  const marker = path.join(trg, '..', `${path.basename(trg)}.post`);
  t.after(() => rmSync(marker, { force: true }));
  // As shipped, except: the ssh options of the test sshd (rsync.rsh, and the list spliced into the
  // postcmd's spawn), host/targetdir/postcmd pointing here, delay 0.
  const { engine } = await startLuaEngine(t, `
local sshArgs = { ${sshd.sshArgv.map(q).join(', ')} }
local rsyncpostcmd = {
	default.rsync,
	checkgauge = {
		default.rsync.checkgauge,
		host = true,
		targetdir = true,
		target = true,
		postcmd = true,
	},
	maxProcesses = 1,
	action = function
	(
		inlet
	)
		local event = inlet.getEvent( )
		local config = inlet.getConfig( )
		if event.etype == 'Blanket'
		then
			local isPostcmd = rawget( event, 'isPostcmd' )
			if isPostcmd
			then
				spawn(event, "/usr/bin/ssh", sshArgs,
					config.host, config.postcmd)
				return
			else
				return default.rsync.action(inlet)
			end
			error( 'this should never be reached' )
		end
		local sync = inlet.createBlanketEvent()
		sync.isPostcmd = true
		return default.rsync.action(inlet)
	end,
	collect = function
	(
		agent,
		exitcode
	)
		local isPostcmd = rawget( agent, 'isPostcmd' )
		if not agent.isList and agent.etype == "Blanket" and isPostcmd
		then
			if exitcode == 255 then return 'again' end
			return
		else
			return default.collect( agent,exitcode )
		end
		error( 'this should never be reached' )
	end,
	prepare = function
	(
		config,
		level,
		skipTarget
	)
		if not config.host
		then
			error( 'rsyncpostcmd needs "host" configured', 4 )
		end
		if not config.targetdir
		then
			error( 'rsyncpostcmd needs "targetdir" configured', 4)
		end
		if not config.target
		then
			config.target = config.host .. ":" .. config.targetdir
		end
		return default.rsync.prepare(config, level, skipTarget)
	end
}
sync {
	rsyncpostcmd,
	delay = 0,
	source = ${q(src)},
	host = ${q(`${sshd.user}@${sshd.host}`)},
	targetdir = ${q(trg)},
	postcmd = ${q(`echo done >> ${marker}`)},
	rsync = { rsh = ${q(ssh)} },
}
`);
  await engine.whenIdle();
  writeFileSync(path.join(src, 'f'), 'content');
  await waitFor(() => existsSync(marker), 'the post command');
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'f'), 'utf8'), 'content', 'the rsync part ran before');
  assert.equal(readFileSync(marker, 'utf8'), 'done\n');
  assert.equal(engine.status()[0]?.state, 'running');
  // Without host, the example's prepare() refuses the config at load, pointing at the sync{}.
  const r = loadConfigText('p.lua', `\nsync { { default.rsync, prepare = function(c) if not c.host then error('rsyncpostcmd needs "host" configured', 4) end end }, source = "/a", target = "/b" }`, 'lua');
  assert.deepEqual(r.ok ? [] : r.errors.map((e) => e.text), ['p.lua:2: prepare(): rsyncpostcmd needs "host" configured']);
});

test('examples that use what lsyncd-ts refuses fail naming the call', () => {
  const cases: [string, string, RegExp][] = [
    // examples/lalarm.lua (first lines as shipped)
    ['lalarm', `
local function noAction (inlet)
	inlet.discardEvent(inlet.getEvent())
end
local in1 = sync{source="/usr/local/etc/", action = noAction }
local function myAlarm(timestamp, extra)
	log("Normal", extra.message)
	spawn(extra.inlet.createBlanketEvent(), "/bin/echo", extra.message)
	alarm(timestamp + 5, myAlarm, extra)
end
alarm(now() + 5, myAlarm, {inlet = in1, message = "Beep"})
`, /^l\.lua:11: alarm\(\) is not supported by lsyncd-ts/],
    // examples/lsayirc.lua's connection step
    ['lsayirc', `observefd(3, function() end, nil)\nsync{source="/a", onCreate="/bin/true"}`, /^l\.lua:1: observefd\(\) is not supported by lsyncd-ts/],
  ];
  for (const [name, text, re] of cases) {
    const r = loadConfigText('l.lua', text, 'lua');
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.match(r.errors[0]!.text, re, name);
  }
});

test('examples/limagemagic.lua and lftp.lua stop at their first unsupported call, naming it', async (t) => {
  const img = tempDir(t);
  const ftp = tempDir(t);
  // limagemagic's action up to its first addExclude; lftp's action with its '<' stdin spawn.
  const { engine, log } = await startLuaEngine(t, `
local formats = { jpg=true, gif=true, png=true,  }
sync{ source=${q(img)}, delay = 0, action = function(inlet)
		local event = inlet.getEvent()
		local p    = event.pathname
		local ext  = string.match(p, ".*%.([^.]+)$")
		local base = string.match(p, "(.*)%.[^.]+$")
		for k, _ in pairs(formats) do
			if k ~= ext then inlet.addExclude(base..'.'..k) end
		end
	end }
sync{ source=${q(ftp)}, delay = 0, action = function(inlet)
		local elist = inlet.getEvents(function(event) return event.etype ~= 'Init' and event.etype ~= 'Blanket' end)
		local commands = table.concat(elist.getPaths(), ';\\n')
		spawn(elist, '/usr/bin/lftp', '<', commands, '-u', 'test,test', 'localhost')
	end }
`);
  await engine.whenIdle();
  writeFileSync(path.join(img, 'a.jpg'), '');
  writeFileSync(path.join(ftp, 'f'), '');
  await waitFor(() => engine.status().every((s) => s.state === 'dead'), 'both syncs to stop');
  const text = log.lines.join('\n');
  assert.match(text, /inlet\.addExclude is not supported by lsyncd-ts/);
  assert.match(text, /text on the child's stdin is not supported by lsyncd-ts/);
});
