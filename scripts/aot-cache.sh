#!/bin/sh
# Makes the JDK AOT cache (JEP 483/514/515) that bin/jctr-runc and bin/jctr use when it is present and newer
# than every jar of the distribution: a training run of `jctr-runc run` (a busybox container running `true`)
# records which classes load and link and how the methods behave, and the JVM writes that to DIST/jctr.aot.
# Jars with classes too old for the cache are first rewritten in place (see ClassfileUpgrade.java).
# mgmt's build runs this right after assembling the distribution (mvn package). Without root or busybox no
# container can run, so it trains on `jctr-runc spec` only. It never fails the build: without a cache the
# launchers work as before, only slower to start (see bench/README.md for the measured difference).
#   usage: scripts/aot-cache.sh DIST
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 DIST" >&2
    exit 2
fi
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dist=$(cd "$1" && pwd)
cache=$dist/jctr.aot
rm -f "$cache" "$cache.config"
tmp=$(mktemp -d /tmp/jctr-aot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export JCTR_DIST="$dist"
# The cache cannot hold classes older than Java 6 (picocli ships Java 5 class files): rewrite them first as
# Java 8 class files with stack maps (scripts/ClassfileUpgrade.java), or every run loads and verifies them anew.
java=$(JCTR_DEFAULT_JVM_OPTS=""; . "$here/bin/jctr-java.sh" && echo "$JCTR_JAVA")
if [ -n "$java" ]; then
    "$java" "$here/scripts/ClassfileUpgrade.java" "$dist"/lib/*.jar "$dist"/mods/*.jar
fi
# Through the launcher itself, so that the training run has the JVM flags later runs have (or the JVM
# refuses the cache).
train() {
    JCTR_AOT_TRAIN=$cache "$here/bin/jctr-runc" "$@" >"$tmp/train.log" 2>&1
}
busybox=${BUSYBOX:-/bin/busybox}
if [ "$(id -u)" -eq 0 ] && [ -x "$busybox" ] \
    && JCTR_AOT_CACHE=none "$here/scripts/busybox-bundle.sh" "$tmp/bundle" true >"$tmp/bundle.log" 2>&1 \
    && train --root "$tmp/state" run --bundle "$tmp/bundle" "jctr-aot-training-$$"; then
    what="a busybox container run"
elif train spec --bundle "$tmp"; then
    what="jctr-runc spec (no container could run: not root, or no $busybox)"
else
    what=""
fi
# A JVM that crashes while writing the cache leaves an empty file behind; a cache must also be usable.
if [ -n "$what" ] && [ -s "$cache" ] && "$here/bin/jctr-runc" --version >/dev/null 2>&1; then
    echo "aot-cache: $cache trained on $what"
else
    rm -f "$cache"
    echo "aot-cache: the training run failed, no AOT cache (the launchers start without one):" >&2
    tail -5 "$tmp/train.log" >&2
fi
exit 0
