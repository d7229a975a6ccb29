#!/bin/sh
# Lays out the fixture root of one differential case in DEST: a copy of CASE/root (symlinks kept as
# links) followed by CASE/setup.sh DEST, which creates what git cannot hold (FIFOs, owners, modes,
# empty directories). Both tools then scan the same prepared tree.
# usage: prepare-root.sh CASE_DIR DEST
set -eu
case_dir=$1
dest=$2
mkdir -p "$dest"
if [ -d "$case_dir/root" ]; then
    cp -a "$case_dir/root/." "$dest/"
fi
if [ -f "$case_dir/setup.sh" ]; then
    sh "$case_dir/setup.sh" "$dest"
fi
