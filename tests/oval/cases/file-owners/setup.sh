#!/bin/sh
# git does not store owners: set them explicitly so the case does not depend on who checked out.
# Needs root (as in CI); numeric ids avoid depending on the host's user database.
set -eu
d=$1/etc/docker
chown 0:0 "$d" "$d/root-root" "$d/certs.d" "$d/certs.d/ca.crt"
chown 4242:4343 "$d/app-app"
chown 0:4343 "$d/root-app"
