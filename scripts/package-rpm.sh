#!/usr/bin/env bash
# npm run package:rpm → packaging/dist/lsyncd-ts-VERSION.ARCH.rpm, built with rpmbuild from
# packaging/rpm/lsyncd-ts.spec over the same staged tree as the deb (scripts/package-common.sh),
# so RHEL/Fedora machines install lsyncd-ts like `yum install lsyncd`. Works on Debian: Debian's
# `rpm` package provides rpmbuild and is installed here when missing (root + apt-get).
# The package carries its own Node.js; it requires only glibc (>= runtime.conf's GLIBC_MAX),
# libstdc++ and rsync.
set -euo pipefail
. "$(dirname "$0")/package-common.sh"

if ! command -v rpmbuild >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "rpmbuild missing: apt-get install rpm"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rpm >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rpm >/dev/null; } \
            || die "could not install rpm (apt-get install rpm)"
    else
        die "rpmbuild not found: install the rpm package (Debian: apt-get install rpm)"
    fi
fi
ensure_built

work=$(mktemp -d "${TMPDIR:-/tmp}/lsyncd-ts-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage_tree "$work/root" /usr/lib/systemd/system
with_units=0
[ -f "$work/root/usr/lib/systemd/system/lsyncd-ts.service" ] && with_units=1

# zstd payload (RHEL >= 8, Fedora); level 3 keeps the build fast.
rpmbuild -bb --quiet \
    --define "_topdir $work/rpmbuild" \
    --define "_binary_payload w3.zstdio" \
    --define "lsyncd_version $VERSION" \
    --define "lsyncd_stage $work/root" \
    --define "glibc_min $GLIBC_MAX" \
    --define "with_units $with_units" \
    "$REPO/packaging/rpm/lsyncd-ts.spec" >"$work/rpmbuild.log" 2>&1 || { cat "$work/rpmbuild.log" >&2; die "rpmbuild failed"; }

built=$(find "$work/rpmbuild/RPMS" -name 'lsyncd-ts-*.rpm' | head -n1)
[ -n "$built" ] || die "rpmbuild produced no rpm"
arch=$(rpm -qp --qf '%{ARCH}' "$built" 2>/dev/null)
mkdir -p "$DIST_DIR"
out="$DIST_DIR/lsyncd-ts-${VERSION}.${arch}.rpm"
mv -f "$built" "$out"
say "built $out ($(du -h "$out" | cut -f1))"
printf '%s\n' "$out"
