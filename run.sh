#!/bin/sh
# Builds jctr and runs its main job on a fresh Debian 12 machine (as root).
set -eu
cd "$(dirname "$0")"
. ./scripts/setup-host.sh
mvn -B -ntp -q package -DskipTests
./bin/jctr info
