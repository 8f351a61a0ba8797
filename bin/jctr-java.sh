# Sourced by the launchers: finds a JDK 25+ and the built distribution.
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
JCTR_DIST=${JCTR_DIST:-$root/mgmt/target/dist}
if [ -z "$JCTR_JAVA" ]; then
    for candidate in "$JAVA_HOME" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
        # The release file names the version without starting a JVM (start-up time is a headline number).
        if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
            && grep -Eq '^JAVA_VERSION="(2[5-9]|[3-9][0-9])' "$candidate/release" 2>/dev/null; then
            JCTR_JAVA=$candidate/bin/java
            break
        fi
    done
fi
if [ -z "$JCTR_JAVA" ]; then
    echo "jctr: needs a JDK 25 or newer: set JAVA_HOME (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)" >&2
    exit 125
fi
if [ ! -d "$JCTR_DIST/mods" ]; then
    echo "jctr: no distribution at $JCTR_DIST: build it first with ./run.sh or mvn package" >&2
    exit 125
fi
# Each launcher sets JCTR_DEFAULT_JVM_OPTS before sourcing this file; JCTR_JVM_OPTS overrides it.
JCTR_JVM_OPTS=${JCTR_JVM_OPTS:-$JCTR_DEFAULT_JVM_OPTS}
