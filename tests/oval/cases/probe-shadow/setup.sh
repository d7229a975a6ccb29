#!/bin/sh
# shadow files are 0640 root:shadow on a real system; keep the fixture unreadable to others too.
set -eu
chmod 0640 "$1/etc/shadow"
