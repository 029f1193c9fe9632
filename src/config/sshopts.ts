// `-sshopts STRING` → ssh argument words, split the way lsyncd 2.3.1 splits it
// (splitQuotedString in upstream lsyncd.lua), so a command line written for lsyncd yields the same
// ssh arguments here. Pure; the one home of this rule.
//
// The rule, word by word over the runs of non-whitespace (space, tab, CR, LF, VT, FF):
//  - A word that begins with ' or " and does not itself end with a quote opens a quoted group;
//    the following words join it with ONE space each (so runs of spaces inside quotes shrink to
//    one) until a word that ends with the same quote character, not escaped: the number of
//    backslashes right before that final quote is even.
//  - Every resulting item loses one leading and one trailing quote character (' or ", whichever);
//    nothing else is unquoted: backslashes stay as written, and a quote inside a word
//    (`-oX="a b"`) does not group (that gives `-oX="a` and `b`).
//  - An empty or all-blank string gives no items.
//  - A group never closed is an error here (lsyncd prints a note and drops those words, which
//    would silently run ssh without them).
const WORD = /[^ \t\r\n\v\f]+/g;

export type SplitResult = { ok: true; words: string[] } | { ok: false; error: string };

export function splitSshOpts(text: string): SplitResult {
  const words: string[] = [];
  let buf: string | undefined;
  let quote: string | undefined;
  for (const [word] of text.matchAll(WORD)) {
    const first = /^['"]/.test(word) ? word[0] : undefined;
    const last = /['"]$/.test(word) ? word[word.length - 1] : undefined;
    let item: string | undefined = word;
    if (buf === undefined) {
      if (first !== undefined && last === undefined) {
        buf = word;
        quote = first;
        item = undefined;
      }
    } else {
      buf = `${buf} ${word}`;
      item = undefined;
      if (last === quote && trailingBackslashes(word) % 2 === 0) {
        item = buf;
        buf = undefined;
        quote = undefined;
      }
    }
    if (item !== undefined) words.push(item.replace(/^['"]/, '').replace(/['"]$/, ''));
  }
  if (buf !== undefined) return { ok: false, error: `-sshopts: missing matching quote for ${buf} — close the quote or escape it with \\` };
  return { ok: true, words };
}

/** Backslashes directly before a word's final character. */
function trailingBackslashes(word: string): number {
  let n = 0;
  for (let i = word.length - 2; i >= 0 && word[i] === '\\'; i--) n++;
  return n;
}
