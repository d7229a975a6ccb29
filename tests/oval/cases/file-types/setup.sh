#!/bin/sh
# git cannot hold FIFOs or empty directories.
set -eu
mkfifo "$1/run/docker.fifo"
mkdir -p "$1/var/empty"
