// Which line of rsync's stderr explains a failed transfer, for the one-line warning and the
// status's last error. rsync ends a failed run with the consequences, not the cause: when the
// receiver hits ENOSPC it prints
//   rsync: [receiver] write failed on "/t/big": No space left on device (28)
//   rsync error: error in file IO (code 11) at receiver.c(657) [receiver=3.5.0]
//   rsync: [sender] write error: Broken pipe (32)
// and the last line only says that the other side hung up. So: the first `rsync:` message that
// is not such an echo of the other side ending (broken pipe, connection closed, protocol stream
// error); else the first line that is not rsync's (ssh's or a wrapper script's own words, e.g.
// "Connection refused"); else the first `rsync error:` summary; else the last line. Pure: takes
// the stderr tail (child_output.ts keeps 20 lines).
const ECHO_OF_PEER_ENDING = /Broken pipe|connection unexpectedly closed|error in rsync protocol data stream|error in socket IO|Connection reset by peer/;

export function rsyncFailureLine(stderrTail: string): string | undefined {
  const lines = stderrTail.replace(/\r/g, '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const cause = lines.find((l) => l.startsWith('rsync: ') && !ECHO_OF_PEER_ENDING.test(l));
  return cause ?? lines.find((l) => !l.startsWith('rsync')) ?? lines.find((l) => l.startsWith('rsync error: ')) ?? lines.at(-1);
}
