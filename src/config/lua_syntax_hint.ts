// Human hints for Lua syntax errors (a Lua syntax error carries its line and a human hint,
// e.g. a missing comma). The classic lsyncd mistake is a table field without a trailing comma
// (seed config 7-multiple-servers.lua, twice). Lua then reports the NEXT line:
//   7.lua:5: '}' expected (to close '{' at line 1) near 'maxProcesses'
// so we point at the end of the previous code line instead. To report every missing comma in one
// run, the caller can re-parse with the suggested comma inserted (`commaFix`) and collect again.

export interface LuaSyntaxProblem {
  /** Line Lua reported. */
  line: number | undefined;
  /** Lua's own message without the `chunk:LINE:` prefix. */
  luaMessage: string;
  /** Human hint, or undefined. */
  hint: string | undefined;
  /** When the hint is a missing comma: the line that needs one at its end. */
  commaAfterLine: number | undefined;
}

/** Strip a trailing Lua `--` comment (outside strings, roughly) and whitespace. */
function codeOf(line: string): string {
  let inStr: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inStr !== undefined) {
      if (c === '\\') i++;
      else if (c === inStr) inStr = undefined;
    } else if (c === '"' || c === "'") inStr = c;
    else if (c === '-' && line[i + 1] === '-') return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** Parse "chunk:LINE: message" from a Lua load error. */
export function splitLuaError(msg: string): { line: number | undefined; message: string } {
  const m = /^(?:.*?):(\d+): (.*)$/s.exec(msg);
  if (m === null) return { line: undefined, message: msg };
  return { line: Number(m[1]), message: m[2]! };
}

export function explainLuaSyntaxError(text: string, rawMessage: string): LuaSyntaxProblem {
  const { line, message } = splitLuaError(rawMessage);
  const lines = text.split('\n');
  const at = line ?? 0;
  let hint: string | undefined;
  let commaAfterLine: number | undefined;

  const near = /near '([^']*)'|near <eof>|near (\S+)/.exec(message);
  const expectedClose = /'}' expected/.test(message) || /'\)' expected/.test(message);
  if (expectedClose && near !== null && at > 0) {
    // Find the previous non-blank code line; if it does not end with a separator, it lacks a comma.
    const here = codeOf(lines[at - 1] ?? '');
    const tokenStartsLine = near[1] !== undefined && here.trimStart().startsWith(near[1]);
    let prev = tokenStartsLine ? at - 1 : at;
    while (prev >= 1 && codeOf(lines[prev - 1] ?? '').trim() === '') prev--;
    const prevCode = prev >= 1 ? codeOf(lines[prev - 1] ?? '') : '';
    if (prev >= 1 && prev !== at && !/[,;{(]\s*$/.test(prevCode)) {
      commaAfterLine = prev;
      hint = `missing comma at the end of line ${prev} ("${prevCode.trim()}") — table fields must be separated by ","`;
    } else if (prev === at && near[1] !== undefined) {
      hint = `missing comma before '${near[1]}' — table fields must be separated by ","`;
    }
  }
  if (hint === undefined) {
    const block = /'end' expected \(to close '(\w+)' at line (\d+)\)/.exec(message);
    if (block !== null) hint = `the '${block[1]}' block opened at line ${block[2]} has no matching 'end'`;
    else if (/'end' expected/.test(message)) hint = "a block (for/if/function/do) has no matching 'end'";
    else if (/unfinished string/.test(message)) hint = 'a string is not closed — check the quotes on this line';
    else if (/'=' expected/.test(message)) hint = 'a table field needs "key = value"';
    else if (/unexpected symbol near/.test(message)) hint = 'check this line for a stray character, a missing comma, or ":" used instead of "="';
    else if (/'}' expected/.test(message)) hint = 'a table opened with "{" is not closed with "}"';
  }
  return { line, luaMessage: message, hint, commaAfterLine };
}

/** Text with a comma appended to the code part of `lineNo` (1-based). */
export function commaFix(text: string, lineNo: number): string {
  const lines = text.split('\n');
  const l = lines[lineNo - 1];
  if (l === undefined) return text;
  const code = codeOf(l);
  lines[lineNo - 1] = `${code},${l.slice(code.length)}`;
  return lines.join('\n');
}
