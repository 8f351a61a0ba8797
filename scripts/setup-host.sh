# Sourced by run.sh, test.sh and .ci/run: installs the Debian packages jctr's build and tests use
# (only when one is missing) and selects JDK 25.
if [ "$(id -u)" -ne 0 ]; then
    echo "jctr needs root (namespaces, cgroups and mounts are root-only here)" >&2
    exit 1
fi
JCTR_APT_PACKAGES="maven gcc libc6-dev busybox-static runc crun skopeo umoci docker-registry user-mode-linux \
iproute2 iptables util-linux procps gnuplot-nox"
missing=""
for p in $JCTR_APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing >/dev/null
fi
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -n "$candidate" ] && grep -Eq '^JAVA_VERSION="(2[5-9]|[3-9][0-9])' "$candidate/release" 2>/dev/null; then
        JAVA_HOME=$candidate
        break
    fi
done
if ! grep -Eq '^JAVA_VERSION="(2[5-9]|[3-9][0-9])' "${JAVA_HOME:-/nonexistent}/release" 2>/dev/null; then
    echo "jctr needs JDK 25: install Temurin 25 under /usr/lib/jvm or set JAVA_HOME" >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
