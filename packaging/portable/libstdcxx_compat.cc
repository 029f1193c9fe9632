// Linked into the PACKAGED addon only, next to glibc_compat.c (read its header for why): GCC 11+
// compiles an oversized `new T[n]` into a call to std::__throw_bad_array_new_length, which only
// the libstdc++ of GCC 11+ exports (GLIBCXX_3.4.29). A hidden definition here keeps the addon
// loadable with GCC 8's libstdc++ (RHEL 8). It throws std::bad_alloc, the base class of
// std::bad_array_new_length and what older compilers threw for the same mistake.
#include <new>

namespace std {
__attribute__((visibility("hidden"), noreturn)) void __throw_bad_array_new_length() { throw std::bad_alloc(); }
}  // namespace std
