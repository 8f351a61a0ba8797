#!/bin/sh
# Builds an OCI runtime-tools validation suite whose sources were placed in
# SUITE_DIR/gopath (see README.md next to this file; the sources are not in
# this repository), the way the upstream Makefile does, and makes the bundle
# rootfs tarball from Debian's busybox-static.
#
# usage: build-suite.sh SUITE_DIR
# needs: golang-go golang-github-opencontainers-runtime-tools-dev
#        golang-github-google-uuid-dev golang-gopkg-yaml.v2-dev busybox-static
set -e
SUITE=$(cd "${1:?usage: build-suite.sh SUITE_DIR}" && pwd)
SRC=$SUITE/gopath/src/github.com/opencontainers/runtime-tools
[ -d "$SRC/validation/util" ] || { echo "no suite sources in $SRC" >&2; exit 2; }

export GO111MODULE=off GOPATH=$SUITE/gopath:/usr/share/gocode GOCACHE=$SUITE/.gocache GOFLAGS=
cd "$SRC"
# runtimetest runs inside the containers: static, as upstream builds it
CGO_ENABLED=0 go build -tags "netgo osusergo" -ldflags "-extldflags -static" \
    -o "$SUITE/runtimetest" ./cmd/runtimetest
mkdir -p "$SUITE/validation"
for d in validation/*/; do
    n=$(basename "$d")
    [ "$n" = util ] && continue
    go build -o "$SUITE/validation/$n.t" "./validation/$n"
done
echo "built runtimetest and $(ls "$SUITE"/validation/*.t | wc -l) validation programs"

# The bundle rootfs (upstream ships a prebuilt busybox tarball). The bundle
# directory IS the rootfs (root.path "."), and tar applies the mode of "./"
# to it: 0755, or programs running as a non-root user cannot reach /runtimetest.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin" "$T/sbin" "$T/usr/bin" "$T/usr/sbin" "$T/dev" "$T/etc" "$T/proc" \
    "$T/sys" "$T/tmp" "$T/root" "$T/mnt" "$T/home" "$T/var" "$T/run"
cp /bin/busybox "$T/bin/busybox"
for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -sf busybox "$T/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$T/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$T/etc/group"
chmod 755 "$T"
chmod 1777 "$T/tmp"
tar -C "$T" --numeric-owner --owner=0 --group=0 -czf "$SUITE/rootfs-amd64.tar.gz" .
echo "wrote $SUITE/rootfs-amd64.tar.gz"
