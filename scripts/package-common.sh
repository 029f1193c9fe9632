# Shared by scripts/package-deb.sh and scripts/package-rpm.sh (sourced, not run): builds the
# installed file tree of lsyncd-ts once, the same for both package formats, so the deb and the
# rpm cannot drift apart. Only the systemd unit directory differs (Debian /lib/systemd/system,
# RPM /usr/lib/systemd/system).
#
# The packages carry their own Node.js (packaging/runtime.conf pins the version; README
# "Install" says why): nothing of it depends on, uses or conflicts with a system `node`.
#
# stage_tree DEST UNITDIR lays out under DEST:
#   /usr/lib/lsyncd-ts/node           the pinned Node.js binary (runtime_binary), debug info stripped
#   /usr/lib/lsyncd-ts/{package.json,bin/,dist/src/}
#   /usr/lib/lsyncd-ts/build/Release/lsyncd_ts_native.node   compiled for the oldest claimed
#       glibc (build_portable_addon, scratch build in the parent directory of DEST; packaging/portable/)
#   /usr/lib/lsyncd-ts/node_modules   run-time dependencies only (copy_runtime_modules)
#   /usr/bin/lsyncd-ts                packaging/lsyncd-ts.sh (execs the bundled node on bin/lsyncd-ts)
#   /etc/lsyncd-ts/lsyncd-ts.conf.example   (conffile / %config(noreplace))
#   UNITDIR/*.service                 every unit in packaging/systemd/
#   /etc/logrotate.d/lsyncd-ts, /var/log/lsyncd-ts/ (0750)
#   /usr/share/man/man1/lsyncd-ts.1.gz  from docs/lsyncd-ts.1.md via packaging/man/md2roff.mjs
#   /usr/share/doc/lsyncd-ts/{README.md,copyright,node-LICENSE,node-version}
#
# Environment: LSYNCD_TS_SKIP_BUILD=1 skips `npm run build` (the tests have just built);
# LSYNCD_TS_REQUIRE_UNITS=1 fails the build when packaging/systemd/ has no lsyncd-ts.service;
# LSYNCD_TS_DIST_DIR: where the package goes (default packaging/dist; the tests use a cache);
# LSYNCD_TS_RUNTIME / LSYNCD_TS_RUNTIME_LICENSE: the node binary to bundle and its LICENSE
# (default: this machine's node, which must be the pinned version).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST_DIR="${LSYNCD_TS_DIST_DIR:-$REPO/packaging/dist}"
VERSION=$(node -p "require('$REPO/package.json').version")
# shellcheck source=../packaging/runtime.conf
. "$REPO/packaging/runtime.conf"
UNIT_SRC="$REPO/packaging/systemd"

say() { printf '%s\n' "package: $*" >&2; }
die() { printf '%s\n' "package: ERROR: $*" >&2; exit 1; }

# Compile the TypeScript unless told it is fresh; node_modules must exist (npm ci).
ensure_built() {
    if [ "${LSYNCD_TS_SKIP_BUILD:-0}" != 1 ]; then
        say "compiling TypeScript (npm run build)"
        (cd "$REPO" && npm run --silent build)
    fi
    [ -f "$REPO/dist/src/cli/main.js" ] || die "dist/src/cli/main.js missing: run npm ci (or npm run build) first"
    [ -x "$REPO/node_modules/.bin/node-gyp" ] || die "node_modules/.bin/node-gyp missing: run npm ci first"
    command -v strip >/dev/null || die "strip not found (package binutils)"
    command -v rsync >/dev/null || die "rsync not found (package rsync)"
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

# The runtime node_modules: only what runtime_modules.mjs lists (package.json's dependencies
# minus the addon's build tools, and their dependencies), each without its own nested
# node_modules (those are listed separately when needed), then without what is never loaded:
# docs, type declarations, source maps, TypeScript sources, and of the typescript package
# everything but lib/typescript.js (the transpiler behind *.ts configs).
copy_runtime_modules() {
    local dest=$1 list rel
    list=$(node "$REPO/packaging/runtime_modules.mjs" "$REPO") || die "could not list the runtime node_modules (npm ci first)"
    while IFS= read -r rel; do
        [ -n "$rel" ] || continue
        mkdir -p "$dest/$rel"
        rsync -a --exclude=/node_modules/ "$REPO/$rel/" "$dest/$rel/"
    done <<<"$list"
    find "$dest/node_modules" -type f \( -iname '*.md' -o -iname '*.markdown' -o -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \
        -o -name '.*' -o -iname 'CHANGELOG*' -o -iname 'HISTORY*' \) -delete
    local ts="$dest/node_modules/typescript"
    if [ -d "$ts" ]; then
        find "$ts" -mindepth 1 -maxdepth 1 ! -name package.json ! -name 'LICENSE*' ! -name ThirdPartyNoticeText.txt ! -name lib -exec rm -rf {} +
        find "$ts/lib" -mindepth 1 ! -name typescript.js -exec rm -rf {} +
    fi
    find "$dest/node_modules" -mindepth 1 -type d -empty -delete
}

# The Node.js binary to bundle: $LSYNCD_TS_RUNTIME, else this machine's node; its version must
# be packaging/runtime.conf's NODE_VERSION (the one the tests ran with).
runtime_binary() {
    local bin version
    bin=${LSYNCD_TS_RUNTIME:-$(command -v node || true)}
    [ -n "$bin" ] || die "no node binary: set LSYNCD_TS_RUNTIME=/path/to/node (Node.js $NODE_VERSION)"
    bin=$(readlink -f "$bin")
    version=$("$bin" --version 2>/dev/null || true)
    [ "$version" = "v$NODE_VERSION" ] || die "the bundled runtime must be Node.js $NODE_VERSION (packaging/runtime.conf), $bin is ${version:-not runnable}: set LSYNCD_TS_RUNTIME to a node $NODE_VERSION binary, or change NODE_VERSION (a new package version)"
    printf '%s\n' "$bin"
}

# Node.js's LICENSE for that binary: $LSYNCD_TS_RUNTIME_LICENSE, else next to the binary's
# installation (NodeSource deb: /usr/share/doc/nodejs/LICENSE; official tarball: PREFIX/LICENSE).
runtime_license() {
    local bin=$1 prefix f
    prefix=$(dirname "$(dirname "$bin")")
    for f in "${LSYNCD_TS_RUNTIME_LICENSE:-}" "$prefix/share/doc/nodejs/LICENSE" "$prefix/LICENSE" "$prefix/share/doc/node/LICENSE"; do
        if [ -n "$f" ] && [ -f "$f" ]; then printf '%s\n' "$f"; return; fi
    done
    die "Node.js's LICENSE not found near $bin: set LSYNCD_TS_RUNTIME_LICENSE=/path/to/LICENSE"
}

# build_portable_addon OUT WORKDIR: compiles the addon for the packages into OUT: the checkout's
# binding.gyp plus the compat sources of packaging/portable/ (glibc_compat.c says why), in a
# scratch directory under WORKDIR (the calling script's, removed by its EXIT trap), so the
# development build in build/ stays as npm ci made it. Headers: npm's nodedir when set (the
# NodeSource package installs them under /usr/include/node), else node-gyp's own cache.
build_portable_addon() {
    local out=$1 scratch nodedir args=()
    scratch=$(mktemp -d "$2/addon.XXXXXX")
    cp -a "$REPO/native" "$scratch/native"
    cp "$REPO/packaging/portable/glibc_compat.c" "$REPO/packaging/portable/libstdcxx_compat.cc" "$scratch/native/"
    ln -s "$REPO/node_modules" "$scratch/node_modules"
    node "$REPO/packaging/portable/portable_gyp.mjs" "$REPO/binding.gyp" >"$scratch/binding.gyp"
    nodedir=$(cd "$REPO" && npm config get nodedir 2>/dev/null || true)
    if [ -n "$nodedir" ] && [ "$nodedir" != undefined ] && [ "$nodedir" != null ]; then args+=("--nodedir=$nodedir"); fi
    say "compiling the packaged addon (node-gyp, with packaging/portable/)"
    if ! (cd "$scratch" && "$REPO/node_modules/.bin/node-gyp" rebuild "${args[@]}" -j 2 >"$scratch/build.log" 2>&1); then
        cat "$scratch/build.log" >&2
        rm -rf "$scratch"
        die "node-gyp failed on the packaged addon"
    fi
    install -m 0755 "$scratch/build/Release/lsyncd_ts_native.node" "$out"
    rm -rf "$scratch"
}

stage_tree() {
    local dest=$1 unitdir=$2
    local lib="$dest/usr/lib/lsyncd-ts" doc="$dest/usr/share/doc/lsyncd-ts" node license
    node=$(runtime_binary)
    license=$(runtime_license "$node")
    install -d -m 0755 "$lib/bin" "$lib/dist" "$lib/build/Release" "$dest/usr/bin" "$dest/etc/lsyncd-ts" \
        "$dest/etc/logrotate.d" "$dest/usr/share/man/man1" "$doc"
    install -d -m 0750 "$dest/var/log/lsyncd-ts"
    strip --strip-debug -o "$lib/node" "$node"
    chmod 0755 "$lib/node"
    install -m 0644 "$REPO/package.json" "$lib/package.json"
    install -m 0755 "$REPO/bin/lsyncd-ts" "$lib/bin/lsyncd-ts"
    cp -a "$REPO/dist/src" "$lib/dist/src"
    find "$lib/dist/src" -type f \( -name '*.map' -o -name '*.d.ts' \) -delete
    build_portable_addon "$lib/build/Release/lsyncd_ts_native.node" "$(dirname "$dest")"
    copy_runtime_modules "$lib"
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
    install -m 0644 "$REPO/README.md" "$doc/README.md"
    install -m 0644 "$license" "$doc/node-LICENSE"
    printf 'Node.js %s (%s), bundled as /usr/lib/lsyncd-ts/node\n' "$NODE_VERSION" "$("$lib/node" -p 'process.platform + "-" + process.arch')" >"$doc/node-version"
    printf '%s\n' "lsyncd-ts $VERSION" "License: GPL-2.0-or-later" \
        "On Debian systems the full license text is in /usr/share/common-licenses/GPL-2." \
        "" \
        "/usr/lib/lsyncd-ts/node is Node.js $NODE_VERSION, under the MIT license and the licenses of the" \
        "third-party code it includes: /usr/share/doc/lsyncd-ts/node-LICENSE." \
        "The bundled Node.js modules under /usr/lib/lsyncd-ts/node_modules carry their own licenses." \
        >"$doc/copyright"
    chmod -R u+rwX,go+rX,go-w "$dest/usr" "$dest/etc"
}

# Date for the man page: the last commit touching its source (reproducible), else today.
source_date() {
    local d
    d=$(cd "$REPO" && git log -1 --format=%cs -- docs/lsyncd-ts.1.md 2>/dev/null || true)
    printf '%s\n' "${d:-$(date -u +%Y-%m-%d)}"
}
