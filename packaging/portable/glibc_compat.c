/*
 * Linked into the PACKAGED addon only (scripts/package-portable-addon.sh), never into the
 * development build: it lets an addon compiled on Debian 12 (glibc 2.36, GCC 12) load on the
 * oldest system the packages claim (packaging/runtime.conf: glibc 2.28 / libstdc++ of GCC 8,
 * i.e. RHEL 8).
 *
 * Why: a symbol reference records the NEWEST version the build machine's libraries define, and
 * the loader refuses the addon when the running libc lacks that version, even though the
 * function itself is decades old. The addon references, from Debian 12's headers:
 *   stat64 / fstat64 / fstatat64            GLIBC_2.33  (older glibc only exports __xstat64 & co)
 *   pthread_sigmask                          GLIBC_2.32  (moved from libpthread into libc)
 *   posix_spawn_file_actions_addchdir_np     GLIBC_2.29  (new in 2.29)
 *   std::__throw_bad_array_new_length        GLIBCXX_3.4.29 (GCC 11's `new T[n]`)
 * This file defines each of them with hidden visibility, so the static linker binds the
 * addon's references here and the dynamic symbol table asks libc for none of them:
 *   - the stat family and pthread_sigmask are thin system-call / sigprocmask wrappers with the
 *     same contract (return value, errno; pthread_sigmask returns the error number);
 *   - posix_spawn_file_actions_addchdir_np is looked up at run time through dlsym (bound to its
 *     oldest version, which every glibc since 2.2.5 has). On a glibc without it (< 2.29) it
 *     returns ENOSYS: a child spawn that asks for a working directory then fails with that errno
 *     instead of the whole addon failing to load. lsyncd-ts itself passes no working directory
 *     to the native spawner, so this path is not taken by the daemon;
 *   - std::__throw_bad_array_new_length throws std::bad_alloc (what GCC < 11 threw for an
 *     oversized `new T[n]`; bad_array_new_length derives from it).
 * test/packaging/glibc_symbols.test.ts reads the packaged binaries' required versions and fails
 * when a new reference creeps in.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "glibc_compat.c: the stat wrappers assume the kernel's struct stat equals glibc's (x86_64, aarch64)"
#endif

#define HIDDEN __attribute__((visibility("hidden")))

/* On x86_64 and aarch64 glibc's struct stat64 is the kernel's struct stat: pass it through. */
struct stat64;

HIDDEN int fstatat64(int dirfd, const char *path, struct stat64 *buf, int flags) {
  return (int)syscall(SYS_newfstatat, dirfd, path, buf, flags);
}

HIDDEN int stat64(const char *path, struct stat64 *buf) {
  return (int)syscall(SYS_newfstatat, AT_FDCWD, path, buf, 0);
}

HIDDEN int lstat64(const char *path, struct stat64 *buf) {
  return (int)syscall(SYS_newfstatat, AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);
}

HIDDEN int fstat64(int fd, struct stat64 *buf) {
  return (int)syscall(SYS_fstat, fd, buf);
}

/* glibc's sigprocmask is the per-thread mask change pthread_sigmask is (and it keeps glibc's
 * internal signals out the same way); only the error convention differs. */
HIDDEN int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
  return sigprocmask(how, set, old) == 0 ? 0 : errno;
}

/* dlsym's first version: 2.2.5 on x86_64, 2.17 (the first aarch64 glibc) on aarch64. */
#if defined(__x86_64__)
__asm__(".symver dlsym, dlsym@GLIBC_2.2.5");
#else
__asm__(".symver dlsym, dlsym@GLIBC_2.17");
#endif

typedef int (*addchdir_fn)(posix_spawn_file_actions_t *, const char *);

HIDDEN int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *restrict fa, const char *restrict dir) {
  /* Benign race: every thread stores the same pointer. */
  static addchdir_fn real;
  static int looked;
  if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
    __atomic_store_n(&real, (addchdir_fn)dlsym(RTLD_DEFAULT, "posix_spawn_file_actions_addchdir_np"), __ATOMIC_RELAXED);
    __atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
  }
  addchdir_fn f = __atomic_load_n(&real, __ATOMIC_RELAXED);
  return f != NULL ? f(fa, dir) : ENOSYS;
}
