# Sourced by the launchers: finds a JDK 25+ and the built distribution.
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
JCTR_DIST=${JCTR_DIST:-$root/mgmt/target/dist}
if [ -z "${JCTR_JAVA:-}" ]; then
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
        # The release file names the version without starting a JVM (start-up time is a headline number).
        if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
            && grep -Eq '^JAVA_VERSION="(2[5-9]|[3-9][0-9])' "$candidate/release" 2>/dev/null; then
            JCTR_JAVA=$candidate/bin/java
            break
        fi
    done
fi
if [ -z "${JCTR_JAVA:-}" ]; then
    echo "jctr: needs a JDK 25 or newer: set JAVA_HOME (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)" >&2
    exit 125
fi
if [ ! -d "$JCTR_DIST/mods" ]; then
    echo "jctr: no distribution at $JCTR_DIST: build it first with ./run.sh or mvn package" >&2
    exit 125
fi
# Each launcher sets JCTR_DEFAULT_JVM_OPTS before sourcing this file; JCTR_JVM_OPTS overrides it. No -Xshare
# flag there: class data sharing is the JDK's default, and the AOT cache options below refuse one.
JCTR_JVM_OPTS=${JCTR_JVM_OPTS:-$JCTR_DEFAULT_JVM_OPTS}
# The AOT cache the build trains (scripts/aot-cache.sh, which sets JCTR_AOT_TRAIN to the file to write), used
# when it is newer than every jar: the JVM refuses a cache whose jars changed and then starts without any class
# data sharing, slower than with no cache named. JCTR_AOT_CACHE=none starts without it. -Xlog:aot=off: a
# refused cache must not print into our output.
JCTR_AOT_CACHE=${JCTR_AOT_CACHE:-$JCTR_DIST/jctr.aot}
if [ -n "${JCTR_AOT_TRAIN:-}" ]; then
    JCTR_JVM_OPTS="$JCTR_JVM_OPTS -XX:AOTCacheOutput=$JCTR_AOT_TRAIN -Xlog:aot=off"
elif [ "$JCTR_AOT_CACHE" != none ] && [ -f "$JCTR_AOT_CACHE" ]; then
    for jar in "$JCTR_DIST"/mods/*.jar "$JCTR_DIST"/lib/*.jar; do
        if [ "$jar" -nt "$JCTR_AOT_CACHE" ]; then
            JCTR_AOT_CACHE=none
            break
        fi
    done
    if [ "$JCTR_AOT_CACHE" != none ]; then
        JCTR_JVM_OPTS="$JCTR_JVM_OPTS -XX:AOTCache=$JCTR_AOT_CACHE -Xlog:aot=off"
    fi
fi
# The class path spelled out in the shell's sorted glob order: the JVM expands lib/* in directory order, which
# changes when the jars are rewritten, and the AOT cache is refused when the class path differs from training.
JCTR_CLASSPATH=$(printf '%s:' "$JCTR_DIST"/lib/*.jar)
JCTR_CLASSPATH=${JCTR_CLASSPATH%:}
