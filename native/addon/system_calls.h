// System calls Node does not offer, exported next to the watcher:
//   syslogOpen(ident, facility) / syslogWrite(priority, message) — syslog(3) itself, so the log
//     goes wherever the system routes syslog (journald, rsyslog) with no hand-rolled socket
//     protocol of our own; openlog keeps its own copy of `ident` (glibc stores the pointer).
//   sdNotify(socketPath, state) -> errno (0 = sent) — one datagram to $NOTIFY_SOCKET as
//     sd_notify(3) does (AF_UNIX, SOCK_DGRAM; a leading '@' is the abstract namespace). Node's
//     dgram module only speaks UDP, and libsystemd is not a dependency we want.
//   seekDataHole(fd, offset, hole) -> offset | -errno — lseek(2) with SEEK_DATA / SEEK_HOLE, so
//     a sparse file is copied by its data extents without reading its holes (fs.read cannot ask).
// All run on the JS thread and never throw for system errors (errno is returned / ignored).
#pragma once
#include <napi.h>

namespace lts {

void RegisterSystemCalls(Napi::Env env, Napi::Object exports);

}  // namespace lts
