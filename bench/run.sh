#!/bin/sh
# Runs jctr's benchmarks side by side with runc and crun and writes a report to bench/results/<time>-<mode>/:
# JMH JSON, summary.md (every figure with its ratio to a peer measured in the same run, and the project's
# targets), ratios.json and PNG plots (gnuplot). See bench/README.md. Must run as root.
#
#   bench/run.sh                   full run (about 25 minutes on 2 cores)
#   bench/run.sh --quick           the CI gate (about 3 minutes): paired start-up and prepare ratios, compared
#                                  with bench/results/baseline.json; exits 1 when one is worse than its baseline
#                                  by more than its tolerance (both in the baseline file) in two measurements
#                                  in a row (the second is taken only when the first fails)
#   bench/run.sh --make-baseline N runs the quick measurement N times (default 5) and writes a new baseline:
#                                  the medians, and tolerances derived from the spread of the N runs
#   --no-build                     use the jars already built (CI runs this after ./test.sh built them)
#   --tolerance F                  one tolerance for every ratio instead of the baseline's (a fraction: 0.5 = 50%)
set -eu
cd "$(dirname "$0")/.."
. ./scripts/setup-host.sh
mode=full
build=yes
runs=5
tolerance=
while [ $# -gt 0 ]; do
    case $1 in
        --quick) mode=quick ;;
        --make-baseline) mode=baseline; case ${2:-} in [0-9]*) runs=$2; shift ;; esac ;;
        --no-build) build=no ;;
        --tolerance) tolerance=$2; shift ;;
        *) echo "usage: bench/run.sh [--quick | --make-baseline [N]] [--no-build] [--tolerance F]" >&2; exit 2 ;;
    esac
    shift
done
if [ $build = yes ]; then
    # -am: the reactor's own kernel and drivers, never a snapshot another checkout installed.
    mvn -B -ntp -q -Dstyle.color=never -pl mgmt,bench -am package -DskipTests
fi
out=bench/results/$(date +%Y%m%d-%H%M%S)-$mode
mkdir -p "$out"
# Every temporary file of the run (images, rootfs copies, state tmpfs mounts) lives under $tmp, a short path:
# overlay's mount(2) API (mountApi legacy) must fit 50 layer paths into one page of mount options.
tmp=$(mktemp -d /tmp/jb.XXXXXX)
cp="bench/target/bench.jar:bench/target/lib/*"
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=$tmp -cp $cp"
cleanup() {
    # Every benchmark removes what it makes; an interrupted one may not have: unmount what is left under $tmp
    # (deepest first), remove it, and remove the benchmark's empty cgroups.
    for m in $(awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r); do
        echo "bench: unmounting leftover $m" >&2
        umount --lazy "$m" || true
    done
    rm -rf "$tmp"
    find /sys/fs/cgroup/*/jctr-test -mindepth 1 -maxdepth 2 -depth -type d -name 'jctr-bench-*' 2>/dev/null |
        while read -r d; do
            echo "bench: removing leftover cgroup $d" >&2
            rmdir "$d" 2>/dev/null || true
        done
    return 0
}
trap cleanup EXIT
echo "bench: $mode run, results in $out"
if [ "$mode" = full ]; then
    $java jctr.bench.BenchRunner full "$out" 2>&1 | tee "$out/jmh.log" \
        | grep -E '^(# (Benchmark|Parameters|Threads):|Result|bench:)' || true
    for f in "$out"/jmh-startup.json "$out"/jmh-storage.json; do
        [ -s "$f" ] || { echo "bench: $f is missing or empty: a benchmark failed, see $out/jmh.log" >&2; exit 1; }
    done
    # Separate JVMs: the memory figures must not include JMH's, and neither should disturb the other.
    $java jctr.bench.CowCost "$out/cow.json"
    $java jctr.bench.MemoryFootprint "$out/memory.json" 50
    $java jctr.bench.PairedRatios "$out/paired.json" 40 7
elif [ "$mode" = baseline ]; then
    i=1
    while [ $i -le "$runs" ]; do
        echo "bench: quick measurement $i of $runs"
        $java jctr.bench.PairedRatios "$out/paired-$i.json" 25 5
        i=$((i + 1))
    done
    $java jctr.bench.Baseline bench/results/baseline.json "$out"/paired-*.json | tee "$out/baseline.log"
    echo "bench: wrote bench/results/baseline.json"
    exit 0
else
    $java jctr.bench.PairedRatios "$out/paired.json" 25 5
fi
if [ "$mode" = quick ]; then
    status=0
    # shellcheck disable=SC2086
    $java jctr.bench.Report "$out" --gate bench/results/baseline.json $tolerance >"$out/report.log" || status=$?
    sed -n '/^## Gate/,$p' "$out/report.log"
    if [ $status -ne 0 ]; then
        # A neighbour's burst of load can push one measurement past its tolerance; a regression shows again.
        # So a failed gate measures once more, from scratch, and only a second failure fails the run.
        echo "bench: the gate failed; measuring again to tell a regression from a noisy minute"
        out=$out/again
        mkdir -p "$out"
        $java jctr.bench.PairedRatios "$out/paired.json" 25 5
        status=0
        # shellcheck disable=SC2086
        $java jctr.bench.Report "$out" --gate bench/results/baseline.json $tolerance >"$out/report.log" || status=$?
        sed -n '/^## Gate/,$p' "$out/report.log"
    fi
    exit $status
fi
$java jctr.bench.Report "$out" >"$out/report.log"
echo "bench: report in $out/summary.md"
