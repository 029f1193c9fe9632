#!/bin/sh
# /usr/bin/lsyncd-ts as installed by the deb/rpm: runs the CLI on Node.js (>= 20.19).
# A wrapper rather than a symlink so the node binary can be chosen (LSYNCD_TS_NODE) when Node.js
# is not the distribution's package (e.g. /usr/local/bin/node, /opt/node/bin/node); `exec` keeps
# the PID, so signals from systemd, logrotate and `kill` reach the daemon itself.
NODE="${LSYNCD_TS_NODE:-node}"
if ! command -v "$NODE" >/dev/null 2>&1; then
    echo "lsyncd-ts: Node.js not found (looked for \"$NODE\" in PATH=$PATH); install Node.js >= 20.19 or set LSYNCD_TS_NODE" >&2
    exit 255
fi
exec "$NODE" /usr/lib/lsyncd-ts/bin/lsyncd-ts "$@"
