// A strict-enough reader of the Prometheus text exposition format for tests: every sample line is
// `name{labels} value`, every metric has exactly one # HELP and one # TYPE line before its
// samples, counters end in _total. Returns samples keyed by `name{labels}` for value checks.
import assert from 'node:assert/strict';

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(\\{${LABEL}(?:,${LABEL})*\\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$`);

export function parseExposition(text: string): Map<string, number> {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const help = new Map<string, number>();
  const type = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) .+$`).exec(line))) {
      help.set(m[1]!, (help.get(m[1]!) ?? 0) + 1);
      continue;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (gauge|counter|histogram|summary|untyped)$`).exec(line))) {
      assert.ok(!type.has(m[1]!), `one # TYPE for ${m[1]}`);
      assert.equal(help.get(m[1]!), 1, `# HELP before # TYPE for ${m[1]}`);
      type.set(m[1]!, m[2]!);
      if (m[2] === 'counter') assert.match(m[1]!, /_total$/, `counter ${m[1]} ends in _total`);
      continue;
    }
    m = SAMPLE.exec(line);
    assert.ok(m, `sample line "${line}" is "name{labels} value"`);
    assert.ok(type.has(m[1]!), `${m[1]} has # TYPE before its samples`);
    const key = `${m[1]}${m[2] ?? ''}`;
    assert.ok(!samples.has(key), `duplicate sample ${key}`);
    samples.set(key, Number(m[3]!.replace('+Inf', 'Infinity')));
  }
  for (const [n, c] of help) assert.equal(c, 1, `one # HELP for ${n}`);
  return samples;
}
