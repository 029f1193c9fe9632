// scanDir(path: Buffer) -> string | number — one directory of a sync's source, as the state's
// source scan (src/state/source_scan.ts) needs it: every entry's name with its lstat signature,
// in one call instead of one fs.lstatSync (and one BigIntStats object) per entry.
// statPaths(paths: Buffer) -> string — the signatures of many paths in one call (a batch's paths
// before its transfer, src/state/sync_ledger.ts): `paths` holds absolute paths, each ended by a
// NUL; the result holds one signature per path, each ended by a NUL, empty for a path that
// cannot be lstat()ed.
//
// Contract:
//   - the result is a latin1 string "NAME\0SIG\0NAME\0SIG\0..." (one char per byte, so names
//     that are not UTF-8 come back exact), entries sorted by the bytes of their names, "." and
//     ".." left out; a number is -errno when the directory cannot be opened or read;
//   - SIG is exactly src/state/source_scan.ts entrySignature(): "d|0|0|INO|MODE" for a directory,
//     "T|SIZE|MTIME_NS|INO|MODE" otherwise (T: f regular file, l symlink, o anything else; MODE:
//     the permission bits, st_mode & 07777, in decimal). Symlinks are never followed (fstatat
//     with AT_SYMLINK_NOFOLLOW). An entry that vanishes between readdir and fstatat is left out;
//   - runs on the JS thread (the scan is synchronous by design: the watch is already set, so
//     what changes meanwhile waits in the kernel's inotify queue); never throws for system errors.
#pragma once
#include <napi.h>

namespace lts {

void RegisterDirScan(Napi::Env env, Napi::Object exports);

}  // namespace lts
