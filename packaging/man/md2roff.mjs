#!/usr/bin/env node
// md2roff: converts the man page source docs/lsyncd-ts.1.md (the ONE source of lsyncd-ts(1);
// GitHub renders it as Markdown, this turns it into man(7) roff) — no pandoc needed on build
// machines. Used by scripts/package-common.sh; plain JS so it runs before/without `npm run build`.
//
// The Markdown subset it understands (anything else is an error, so the source cannot drift into
// syntax that silently renders wrong):
//   <!-- man: NAME SECTION "Manual title" -->  first line: the .TH header
//   # HEADING            → .SH HEADING (top-level sections: NAME, SYNOPSIS, ...)
//   ## Subheading        → .SS Subheading
//   paragraph lines      → .PP, lines joined
//   - item / * item      → bullet list (.IP \(bu 2); continuation lines indented by 2+ spaces
//   TERM  +  ":   text"  → definition list (.TP); continuation lines indented by 4 spaces
//   ``` fenced block ``` → verbatim (.nf/.fi, indented)
//   inline: **bold**, `code` (bold), *italic* / _italic_, [text](url) → text (url), \* escapes
//   <!-- comment -->     → dropped (may span lines)
// Usage: node md2roff.mjs SOURCE.md [--version V] [--date YYYY-MM-DD] > out.1
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args[0];
if (file === undefined) {
  process.stderr.write('usage: md2roff.mjs SOURCE.md [--version V] [--date YYYY-MM-DD]\n');
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i > 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const version = opt('--version', '');
const date = opt('--date', new Date().toISOString().slice(0, 10));

/** Escape text for roff: backslashes, hyphens (as \-, so options copy-paste), leading . and '. */
const esc = (s) => s.replace(/\\/g, '\\e').replace(/-/g, '\\-');
const lineStart = (s) => (/^[.']/.test(s) ? `\\&${s}` : s);

/** Inline markup → roff fonts. Code spans are protected first so their content stays literal. */
function inline(text) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m;
    if ((m = /^`([^`]+)`/.exec(rest))) out.push(`\\fB${esc(m[1])}\\fR`);
    else if ((m = /^\*\*(.+?)\*\*/.exec(rest))) out.push(`\\fB${inline(m[1])}\\fR`);
    else if ((m = /^\[([^\]]+)\]\(([^)]+)\)/.exec(rest))) out.push(/^https?:/.test(m[2]) ? `${inline(m[1])} (${esc(m[2])})` : inline(m[1]));
    else if ((m = /^\*([^*\s][^*]*?)\*/.exec(rest)) || (m = /^_([^_\s][^_]*?)_(?![A-Za-z0-9])/.exec(rest))) out.push(`\\fI${inline(m[1])}\\fR`);
    else if ((m = /^\\([\\`*_[\]()#+.!-])/.exec(rest))) out.push(esc(m[1]));
    else {
      m = /^[^`*_[\\]+|^./.exec(rest);
      out.push(esc(m[0]));
    }
    i += m[0].length;
  }
  return out.join('');
}

const src = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').split('\n');
const head = /^<!-- man: (\S+) (\d) "([^"]*)" -->$/.exec(src[0] ?? '');
if (!head) {
  process.stderr.write(`${file}:1: the first line must be <!-- man: NAME SECTION "Title" -->\n`);
  process.exit(1);
}
const roff = [
  `.\\" Generated from ${file.split('/').slice(-2).join('/')} by packaging/man/md2roff.mjs — edit the source, not this file.`,
  `.TH ${esc(head[1].toUpperCase())} ${head[2]} "${date}" "${esc(`${head[1]} ${version}`.trim())}" "${esc(head[3])}"`,
];
const fail = (n, msg) => {
  process.stderr.write(`${file}:${n + 1}: ${msg}\n`);
  process.exit(1);
};

let n = 1;
const isBlank = (l) => l.trim() === '';
while (n < src.length) {
  const line = src[n];
  if (isBlank(line)) { n++; continue; }
  if (/^<!--/.test(line)) {
    while (n < src.length && !src[n].includes('-->')) n++;
    if (n >= src.length) fail(n - 1, 'unterminated <!-- comment');
    n++;
    continue;
  }
  let m;
  if ((m = /^# (.+)$/.exec(line))) { roff.push(`.SH ${inline(m[1].toUpperCase())}`); n++; continue; }
  if ((m = /^## (.+)$/.exec(line))) { roff.push(`.SS ${inline(m[1])}`); n++; continue; }
  if (/^#/.test(line)) fail(n, 'only # and ## headings are supported');
  if (/^```/.test(line)) {
    roff.push('.PP', '.RS 4', '.nf');
    n++;
    while (n < src.length && !/^```\s*$/.test(src[n])) { roff.push(lineStart(esc(src[n]))); n++; }
    if (n >= src.length) fail(n - 1, 'unterminated ``` block');
    roff.push('.fi', '.RE');
    n++;
    continue;
  }
  if ((m = /^[-*] (.*)$/.exec(line))) {
    const text = [m[1]];
    n++;
    while (n < src.length && /^ {2,}\S/.test(src[n])) { text.push(src[n].trim()); n++; }
    roff.push('.IP \\(bu 2', lineStart(inline(text.join(' '))));
    continue;
  }
  if (n + 1 < src.length && /^: {3}/.test(src[n + 1])) {
    roff.push('.TP', lineStart(inline(line.trim())));
    n++;
    let first = true;
    while (n < src.length && (/^: {3}/.test(src[n]) || (/^ {4}\S/.test(src[n])))) {
      const text = [src[n].replace(/^: {3}| {4}/, '')];
      n++;
      while (n < src.length && /^ {4}\S/.test(src[n]) && !/^ {4}[-*] /.test(src[n])) { text.push(src[n].trim()); n++; }
      if (!first) roff.push('.br');
      roff.push(lineStart(inline(text.join(' '))));
      first = false;
      // a blank line followed by another 4-space-indented line continues the definition
      if (n + 1 < src.length && isBlank(src[n]) && /^ {4}\S/.test(src[n + 1])) { n++; roff.push('.sp 0.5'); first = true; }
    }
    continue;
  }
  if (/^\s/.test(line)) fail(n, 'unexpected indentation (continuation of what?)');
  if (/^\|/.test(line)) fail(n, 'tables are not supported in the man page source; use a definition list');
  const text = [];
  while (n < src.length && !isBlank(src[n]) && !/^(#|```|[-*] |\|)/.test(src[n])) { text.push(src[n].trim()); n++; }
  roff.push('.PP', lineStart(inline(text.join(' '))));
}
process.stdout.write(`${roff.join('\n')}\n`);
