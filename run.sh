#!/bin/sh
# Builds jctr and runs its main job on a fresh Debian 12 machine (as root): a busybox container from an
# OCI bundle through the runc-compatible CLI, then the engine's view of the host and its drivers.
set -eu
cd "$(dirname "$0")"
. ./scripts/setup-host.sh
mvn -B -ntp -q -Dstyle.color=never package -DskipTests
bundle=$(mktemp -d /tmp/jctr-bundle.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
./scripts/busybox-bundle.sh "$bundle" 'echo hello from jctr; hostname'
./bin/jctr-runc run --bundle "$bundle" "jctr-hello-$$"
./bin/jctr info
