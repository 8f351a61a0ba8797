#!/bin/bash
# Runs one command as root inside a throw-away user-mode-linux guest (Debian's user-mode-linux package,
# kernel 6.1) whose cgroup hierarchy is pure cgroup v2 with every controller the guest kernel has enabled
# at the root (cpu io memory pids). jctr's cgroup-v2 enforcement tests run there: on the build hosts the
# cgroup2 mount has no cpu/memory/pids (hybrid mode), and a guest kernel is the only way to get them.
#
# The guest's root file system is the host's / (hostfs, read-only); PROJECT_DIR is mounted read-write at
# the same path; /tmp, /run, /var/tmp and /dev/shm are guest tmpfs; /dev is the guest's devtmpfs with an
# extra empty block device /dev/ubdb (DISK_MB, for io.max tests). One CPU.
#
# Usage: run-in-guest.sh -w WORKDIR [-C PROJECT_DIR] [-m MEM] [-t TIMEOUT_S] [-d DISK_MB] -- CMD [ARG...]
#   WORKDIR    a directory inside PROJECT_DIR for the boot files and the exit code (recreated)
# The command runs in PROJECT_DIR with JAVA_HOME, PATH and the variables named in GUEST_ENV.
# Prints the command's output; exits with its exit code, 124 on timeout, 125 if the guest reported no
# exit code, 2 on a usage error or when the guest cannot boot here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project=$PWD; work=""; mem=1G; timeout_s=600; disk_mb=64
uml=${UML:-/usr/bin/linux.uml}
usage() { sed -n '2,18p' "$0" >&2; exit 2; }
while getopts w:C:m:t:d:h o; do
    case $o in
        w) work=$OPTARG;; C) project=$OPTARG;; m) mem=$OPTARG;; t) timeout_s=$OPTARG;; d) disk_mb=$OPTARG;;
        *) usage;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] && [ -n "$work" ] || usage
[ -x "$uml" ] || { echo "run-in-guest: no $uml: apt-get install user-mode-linux" >&2; exit 2; }
project=$(realpath "$project")
mkdir -p "$work"
work=$(realpath "$work")
case "$work/" in "$project"/*) ;; *) echo "run-in-guest: $work is not inside $project" >&2; exit 2;; esac
case "$work$project" in *[[:space:]]*) echo "run-in-guest: paths with spaces cannot go on the kernel command line" >&2; exit 2;; esac
rm -rf "${work:?}"/*

umid="jctr-v2-$$"
cleanup() { rm -rf "$work/disk.img" "${work:?}/$umid"; }
trap cleanup EXIT

{
    printf 'PROJECT_DIR=%q\n' "$project"
    printf 'export PATH=%q\n' "$PATH"
    for v in JAVA_HOME ${GUEST_ENV:-}; do
        if [ -n "${!v+x}" ]; then printf 'export %s=%q\n' "$v" "${!v}"; fi
    done
    printf 'GUEST_CMD=('; printf '%q ' "$@"; printf ')\n'
} > "$work/env"
[ "$disk_mb" -gt 0 ] && truncate -s "${disk_mb}M" "$work/disk.img"

# Unknown name=value words on the kernel command line become environment variables of init.
args=(mem="$mem" umid="$umid" uml_dir="$work" root=/dev/root rootfstype=hostfs rootflags=/ ro
      loglevel=0 init="$here/guest-init.sh" con=null con0=null,fd:1 jctr_guest_work="$work")
[ "$disk_mb" -gt 0 ] && args+=(ubd1="$work/disk.img")

set +e
# UML keeps the guest's memory in an unlinked file under TMPDIR, which must allow exec (/dev/shm here).
# timeout gives UML and its helper processes their own process group and kills the group on expiry.
TMPDIR=${UML_TMPDIR:-/dev/shm} timeout -k 10 "$timeout_s" "$uml" "${args[@]}" </dev/null 2>"$work/uml.stderr"
uml_rc=$?
set -e
if [ -f "$work/rc" ]; then
    exit "$(cat "$work/rc")"
fi
if [ "$uml_rc" = 124 ]; then
    echo "run-in-guest: the guest ran out of time after ${timeout_s}s" >&2
    exit 124
fi
echo "run-in-guest: the guest reported no exit code (linux.uml exited with $uml_rc)" >&2
tail -20 "$work/uml.stderr" >&2
exit 125
