#!/bin/sh
# git cannot hold FIFOs or empty directories.
set -eu
mkdir -p "$1/run"
mkfifo "$1/run/docker.fifo"
mkdir -p "$1/var/empty"
