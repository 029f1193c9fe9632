#!/usr/bin/env bash
# npm run package:deb → packaging/dist/lsyncd-ts_VERSION_ARCH.deb, built with plain dpkg-deb
# (no debhelper: the package is a staged file tree plus the control files in packaging/deb/).
# Why a .deb: lsyncd is installed with `apt install lsyncd`; lsyncd-ts installs the same way and
# brings its units, logrotate policy, log directory and man page with it.
# Files: scripts/package-common.sh (stage_tree). The package carries its own Node.js, so it
# depends only on what every Debian/Ubuntu has: libc6 and libstdc++6 at the versions
# packaging/runtime.conf claims, and rsync.
set -euo pipefail
. "$(dirname "$0")/package-common.sh"

command -v dpkg-deb >/dev/null || die "dpkg-deb not found (package dpkg)"
ARCH=$(dpkg --print-architecture)
ensure_built

work=$(mktemp -d "${TMPDIR:-/tmp}/lsyncd-ts-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
stage_tree "$root" /lib/systemd/system

# GLIBC_MAX / GLIBCXX_MAX (runtime.conf) are what the bundled node and addon may require
# (test/packaging/glibc_symbols.test.ts checks it); libstdc++6 (>= 6) is GCC 6's, the first
# with GLIBCXX_3.4.22 (std::thread's ABI used by the addon).
depends="libc6 (>= $GLIBC_MAX), libstdc++6 (>= 6), rsync"

install -d -m 0755 "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
    "$REPO/packaging/deb/control.in" >"$root/DEBIAN/control"
install -m 0755 "$REPO/packaging/deb/postinst" "$REPO/packaging/deb/prerm" "$REPO/packaging/deb/postrm" "$root/DEBIAN/"
# Conffiles: everything under /etc (the example config and the logrotate policy) — dpkg keeps
# a locally edited copy on upgrade and removes them only on purge.
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"

mkdir -p "$DIST_DIR"
out="$DIST_DIR/lsyncd-ts_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz -z6 --build "$root" "$out" >/dev/null
say "built $out ($(du -h "$out" | cut -f1))"
printf '%s\n' "$out"
