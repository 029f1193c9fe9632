#!/usr/bin/env bash
# npm run package:deb → packaging/dist/lsyncd-ts_VERSION_ARCH.deb, built with plain dpkg-deb
# (no debhelper: the package is a staged file tree plus the control files in packaging/deb/).
# Why a .deb: lsyncd is installed with `apt install lsyncd`; lsyncd-ts installs the same way and
# brings its units, logrotate policy, log directory and man page with it.
# Files: scripts/package-common.sh (stage_tree). Node.js dependency: see node_dep_mode there
# (NODE_DEP=package|external|auto).
set -euo pipefail
. "$(dirname "$0")/package-common.sh"

command -v dpkg-deb >/dev/null || die "dpkg-deb not found (package dpkg)"
ARCH=$(dpkg --print-architecture)
ensure_built

work=$(mktemp -d "${TMPDIR:-/tmp}/lsyncd-ts-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
stage_tree "$root" /lib/systemd/system

mode=$(node_dep_mode)
depends="rsync"
[ "$mode" = package ] && depends="nodejs (>= 20.19), rsync"
# The addon links glibc and libstdc++: depend on the newest glibc symbol version it uses.
glibc=$(objdump -T "$root/usr/lib/lsyncd-ts/build/Release/lsyncd_ts_native.node" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1 || true)
if [ -n "$glibc" ]; then depends="$depends, libc6 (>= $glibc), libstdc++6"; else depends="$depends, libc6, libstdc++6"; fi
say "Node.js dependency: $mode ($([ "$mode" = package ] && echo 'Depends: nodejs (>= 20.19)' || echo 'no Depends; preinst checks node >= 20.19'))"

install -d -m 0755 "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
    "$REPO/packaging/deb/control.in" >"$root/DEBIAN/control"
sed -e "s/@NODE_DEP_MODE@/$mode/g" "$REPO/packaging/deb/preinst.in" >"$root/DEBIAN/preinst"
install -m 0755 "$REPO/packaging/deb/postinst" "$REPO/packaging/deb/prerm" "$REPO/packaging/deb/postrm" "$root/DEBIAN/"
chmod 0755 "$root/DEBIAN/preinst"
# Conffiles: everything under /etc (the example config and the logrotate policy) — dpkg keeps
# a locally edited copy on upgrade and removes them only on purge.
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"

mkdir -p "$DIST_DIR"
out="$DIST_DIR/lsyncd-ts_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz -z6 --build "$root" "$out" >/dev/null
say "built $out ($(du -h "$out" | cut -f1))"
printf '%s\n' "$out"
