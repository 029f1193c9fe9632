#!/bin/sh
# /usr/bin/lsyncd-ts as installed by the deb/rpm: runs the CLI on the Node.js runtime the package
# carries (/usr/lib/lsyncd-ts/node, the version the package was built and tested with), never on
# a system `node`, whatever its version. A wrapper rather than a symlink so the script path is
# fixed; `exec` keeps the PID, so signals from systemd, logrotate and `kill` reach the daemon.
exec /usr/lib/lsyncd-ts/node /usr/lib/lsyncd-ts/bin/lsyncd-ts "$@"
