#!/bin/sh
# Makes a busybox image from Debian's busybox-static as an OCI image layout in DIR (with umoci), for
# machines that cannot reach Docker Hub: `jctr image import DIR busybox`, or tar it for `docker load`.
#   usage: scripts/busybox-image.sh DIR
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dir=$1
work=$(mktemp -d /tmp/jctr-busybox-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/scripts/busybox-bundle.sh" "$work/rootfs-bundle" >/dev/null
umoci init --layout "$dir"
umoci new --image "$dir:latest"
umoci unpack --image "$dir:latest" "$work/bundle" >/dev/null
cp -a "$work/rootfs-bundle/rootfs/." "$work/bundle/rootfs/"
umoci repack --image "$dir:latest" "$work/bundle"
umoci config --image "$dir:latest" --config.cmd sh --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umoci gc --layout "$dir"
