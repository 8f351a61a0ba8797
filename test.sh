#!/bin/sh
# Runs every jctr test (unit, property and root-only integration tests against the real kernel).
# Installs what the tests need on a fresh Debian 12 machine; must run as root.
set -eu
cd "$(dirname "$0")"
. ./scripts/setup-host.sh
exec mvn -B -ntp verify "$@"
