#!/bin/sh
# Owners and modes as a STIG scan would meet them; extra.conf is the non-compliant file.
set -eu
r=$1
chown -R 0:0 "$r/etc/docker" "$r/etc/default" "$r/lib/systemd"
chmod 0755 "$r/etc/docker" "$r/etc/docker/certs.d" "$r/etc/docker/certs.d/registry.local"
chmod 0644 "$r/etc/docker/daemon.json" "$r/etc/default/docker" "$r/lib/systemd/system/docker.service" "$r/lib/systemd/system/docker.socket"
chmod 0600 "$r/etc/docker/key.json"
chmod 0444 "$r/etc/docker/certs.d/registry.local/ca.crt"
chown 4242:0 "$r/etc/docker/extra.conf"
chmod 0666 "$r/etc/docker/extra.conf"
