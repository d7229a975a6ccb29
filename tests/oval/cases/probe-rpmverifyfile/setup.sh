# The rpminfo case's root (its RPM database and packaged files) serves this case too.
cp -a "$(dirname "$0")/../probe-rpminfo/root/." "$1/"
