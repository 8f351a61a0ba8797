#!/bin/sh
# Rewrites kernel-api/src/main/resources/jctr/kernel/oci/default-seccomp.json (the OCI form of Docker's
# profile for Docker's default capabilities) from default-seccomp-conditional.json beside it, using
# jctr's own resolver (DefaultSeccomp.profile(Set)). Run from the repository root after editing the
# conditional profile; see docs/seccomp.md.
set -eu
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
mvn -B -q -o -pl kernel-api test -Dtest=DefaultSeccompTest -Djctr.seccomp.regenerate=true >/dev/null 2>&1 || true
mvn -B -q -o -pl kernel-api test -Dtest=DefaultSeccompTest
