# Shared by scripts/package-deb.sh and scripts/package-rpm.sh (sourced, not run): builds the
# installed file tree of lsyncd-ts once, the same for both package formats, so the deb and the
# rpm cannot drift apart. Only the systemd unit directory differs (Debian /lib/systemd/system,
# RPM /usr/lib/systemd/system).
#
# stage_tree DEST UNITDIR lays out under DEST:
#   /usr/lib/lsyncd-ts/{package.json,bin/,dist/src/,build/Release/lsyncd_ts_native.node}
#   /usr/lib/lsyncd-ts/node_modules   production dependencies only: a copy of the checkout's
#       node_modules minus every package `npm ls --omit=dev` does not list (no network, no
#       second `npm ci`; the addon is the one `npm ci` compiled for this machine)
#   /usr/bin/lsyncd-ts                packaging/lsyncd-ts.sh (execs node on the script above)
#   /etc/lsyncd-ts/lsyncd-ts.conf.example   (conffile / %config(noreplace))
#   UNITDIR/*.service                 every unit in packaging/systemd/
#   /etc/logrotate.d/lsyncd-ts, /var/log/lsyncd-ts/ (0750)
#   /usr/share/man/man1/lsyncd-ts.1.gz  from docs/lsyncd-ts.1.md via packaging/man/md2roff.mjs
#   /usr/share/doc/lsyncd-ts/{README.md,copyright}
#
# Environment: LSYNCD_TS_SKIP_BUILD=1 skips `npm run build` (the tests have just built);
# LSYNCD_TS_REQUIRE_UNITS=1 fails the build when packaging/systemd/ has no lsyncd-ts.service.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST_DIR="$REPO/packaging/dist"
VERSION=$(node -p "require('$REPO/package.json').version")
ADDON="$REPO/build/Release/lsyncd_ts_native.node"
UNIT_SRC="$REPO/packaging/systemd"

say() { printf '%s\n' "package: $*" >&2; }
die() { printf '%s\n' "package: ERROR: $*" >&2; exit 1; }

# Compile the TypeScript unless told it is fresh; the addon must exist (npm ci builds it).
ensure_built() {
    if [ "${LSYNCD_TS_SKIP_BUILD:-0}" != 1 ]; then
        say "compiling TypeScript (npm run build)"
        (cd "$REPO" && npm run --silent build)
    fi
    [ -f "$REPO/dist/src/cli/main.js" ] || die "dist/src/cli/main.js missing: run npm ci (or npm run build) first"
    [ -f "$ADDON" ] || die "$ADDON missing: run npm ci (it compiles the addon with node-gyp)"
}

# The unit files to ship; warns (or fails under LSYNCD_TS_REQUIRE_UNITS=1) when there are none.
unit_files() {
    local found=()
    if [ -d "$UNIT_SRC" ]; then
        while IFS= read -r -d '' f; do found+=("$f"); done < <(find "$UNIT_SRC" -maxdepth 1 -type f -name '*.service' -print0 | sort -z)
    fi
    if [ ! -f "$UNIT_SRC/lsyncd-ts.service" ]; then
        if [ "${LSYNCD_TS_REQUIRE_UNITS:-0}" = 1 ]; then
            die "packaging/systemd/lsyncd-ts.service is missing from the source tree; set LSYNCD_TS_REQUIRE_UNITS=0 to build without them"
        fi
        say "WARNING: packaging/systemd/lsyncd-ts.service is missing; building WITHOUT systemd units (${#found[@]} unit file(s) found)"
    fi
    if [ ${#found[@]} -gt 0 ]; then printf '%s\n' "${found[@]}"; fi
}

# Copy node_modules and drop what production does not need.
copy_prod_modules() {
    local dest=$1 all prod
    all=$(cd "$REPO" && npm ls --all --parseable 2>/dev/null | sort -u) || true
    prod=$(cd "$REPO" && npm ls --all --omit=dev --parseable 2>/dev/null | sort -u) || true
    [ -n "$prod" ] || die "npm ls --omit=dev listed nothing: is node_modules installed (npm ci)?"
    cp -a "$REPO/node_modules" "$dest/node_modules"
    local p rel
    while IFS= read -r p; do
        [ -n "$p" ] || continue
        rel=${p#"$REPO/"}
        [ "$rel" != "$p" ] || continue
        case "$rel" in node_modules/*) rm -rf "${dest:?}/$rel" ;; esac
    done < <(comm -23 <(printf '%s\n' "$all") <(printf '%s\n' "$prod"))
    rm -rf "$dest/node_modules/.bin" "$dest/node_modules/.package-lock.json"
    find "$dest/node_modules" -mindepth 1 -type d -empty -delete
}

stage_tree() {
    local dest=$1 unitdir=$2
    local lib="$dest/usr/lib/lsyncd-ts"
    install -d -m 0755 "$lib/bin" "$lib/dist" "$lib/build/Release" "$dest/usr/bin" "$dest/etc/lsyncd-ts" \
        "$dest/etc/logrotate.d" "$dest/usr/share/man/man1" "$dest/usr/share/doc/lsyncd-ts"
    install -d -m 0750 "$dest/var/log/lsyncd-ts"
    install -m 0644 "$REPO/package.json" "$lib/package.json"
    install -m 0755 "$REPO/bin/lsyncd-ts" "$lib/bin/lsyncd-ts"
    cp -a "$REPO/dist/src" "$lib/dist/src"
    install -m 0755 "$ADDON" "$lib/build/Release/lsyncd_ts_native.node"
    copy_prod_modules "$lib"
    install -m 0755 "$REPO/packaging/lsyncd-ts.sh" "$dest/usr/bin/lsyncd-ts"
    install -m 0644 "$REPO/packaging/examples/lsyncd-ts.conf.example" "$dest/etc/lsyncd-ts/lsyncd-ts.conf.example"
    install -m 0644 "$REPO/packaging/logrotate/lsyncd-ts" "$dest/etc/logrotate.d/lsyncd-ts"
    local units u
    units=$(unit_files)
    if [ -n "$units" ]; then
        install -d -m 0755 "$dest$unitdir"
        while IFS= read -r u; do install -m 0644 "$u" "$dest$unitdir/$(basename "$u")"; done <<<"$units"
    fi
    node "$REPO/packaging/man/md2roff.mjs" "$REPO/docs/lsyncd-ts.1.md" --version "$VERSION" --date "$(source_date)" \
        | gzip -9n >"$dest/usr/share/man/man1/lsyncd-ts.1.gz"
    install -m 0644 "$REPO/README.md" "$dest/usr/share/doc/lsyncd-ts/README.md"
    printf '%s\n' "lsyncd-ts $VERSION" "License: GPL-2.0-or-later" \
        "On Debian systems the full license text is in /usr/share/common-licenses/GPL-2." \
        "The bundled Node.js modules under /usr/lib/lsyncd-ts/node_modules carry their own licenses." \
        >"$dest/usr/share/doc/lsyncd-ts/copyright"
    chmod -R u+rwX,go+rX,go-w "$dest/usr" "$dest/etc"
}

# Date for the man page: the last commit touching its source (reproducible), else today.
source_date() {
    local d
    d=$(cd "$REPO" && git log -1 --format=%cs -- docs/lsyncd-ts.1.md 2>/dev/null || true)
    printf '%s\n' "${d:-$(date -u +%Y-%m-%d)}"
}

# How the Node.js dependency is declared. NODE_DEP=package|external|auto (default auto):
# package  → Depends/Requires on the distribution's nodejs (>= 20.19);
# external → no nodejs dependency, the pre-install script checks `node --version` instead;
# auto     → package when this machine's node belongs to a dpkg package named nodejs
#            (e.g. NodeSource's), external otherwise (Debian 12's own nodejs is 18: a node
#            >= 20.19 there is either NodeSource's package or installed by hand).
node_dep_mode() {
    local mode=${NODE_DEP:-auto} nodebin owner
    case "$mode" in
        package|external) ;;
        auto)
            mode=external
            nodebin=$(readlink -f "$(command -v node)" 2>/dev/null || true)
            if [ -n "$nodebin" ] && command -v dpkg >/dev/null 2>&1; then
                owner=$(dpkg -S "$nodebin" 2>/dev/null | cut -d: -f1 || true)
                [ "$owner" = nodejs ] && mode=package
            fi
            ;;
        *) die "NODE_DEP must be package, external or auto (got \"$mode\")" ;;
    esac
    printf '%s\n' "$mode"
}
