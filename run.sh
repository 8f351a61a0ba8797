#!/bin/sh
# Builds jctr and runs its main job on a fresh Debian 12 machine (as root):
#  1. a busybox image (built from Debian's busybox-static, no registry needed) run by the Docker-like
#     `jctr run` with resource limits, through the engine (started on demand, stopped again at the end);
#  2. the same kind of container from an OCI bundle through the runc-compatible `jctr-runc`;
#  3. the engine's view of the host and its drivers.
set -eu
cd "$(dirname "$0")"
. ./scripts/setup-host.sh
work=$(mktemp -d /tmp/jctr-main.XXXXXX)
echo "building jctr (log: $work/build.log)"
if ! mvn -B -ntp -Dstyle.color=never package -DskipTests >"$work/build.log" 2>&1; then
    cat "$work/build.log"
    echo "run.sh: the build failed" >&2
    exit 1
fi
pidfile=/run/jctr/jctr-daemon.pid
daemon_was_running=""
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    daemon_was_running=yes
fi
cleanup() {
    if [ -z "$daemon_was_running" ] && [ -f "$pidfile" ]; then
        kill "$(cat "$pidfile")" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

./scripts/busybox-image.sh "$work/busybox-oci" >/dev/null
./bin/jctr image import "$work/busybox-oci" busybox
./bin/jctr run --rm --memory 64m --cpus 0.5 --pids-limit 64 busybox \
    sh -c 'echo hello from a jctr container; hostname; echo "memory limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"'

./scripts/busybox-bundle.sh "$work/bundle" 'echo hello from jctr-runc; hostname'
./bin/jctr-runc run --bundle "$work/bundle" "jctr-hello-$$"

./bin/jctr info
