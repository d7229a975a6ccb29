#!/bin/sh
# Mount points listed in root/proc/mounts exist as (empty) directories of the fixture.
set -eu
mkdir -p "$1/var/lib/docker" "$1/tmp"
