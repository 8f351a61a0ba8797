#!/bin/sh
# Runs jctr's benchmarks side by side with runc and crun and writes a report to bench/results/<time>-<mode>/:
# JMH JSON, summary.md (every figure with its ratio to a peer measured in the same run, and the project's
# targets), ratios.json and PNG plots (gnuplot). See bench/README.md. Must run as root.
#
#   bench/run.sh                   full run (about 25 minutes on 2 cores)
#   bench/run.sh --quick           the CI gate (about 5 minutes): start-up and prepare ratios, compared with
#                                  bench/results/baseline.json; exits 1 when one is worse than baseline + tolerance
#   bench/run.sh --quick --update-baseline   the same, then its ratios become the new baseline
#   --no-build                     use the jars already built (CI runs this after ./test.sh built them)
#   --tolerance F                  the gate's tolerance as a fraction (default: $JCTR_BENCH_TOLERANCE or 0.60)
set -eu
cd "$(dirname "$0")/.."
. ./scripts/setup-host.sh
mode=full
build=yes
update=no
tolerance=${JCTR_BENCH_TOLERANCE:-0.60}
while [ $# -gt 0 ]; do
    case $1 in
        --quick) mode=quick ;;
        --no-build) build=no ;;
        --update-baseline) update=yes ;;
        --tolerance) tolerance=$2; shift ;;
        *) echo "usage: bench/run.sh [--quick [--update-baseline]] [--no-build] [--tolerance F]" >&2; exit 2 ;;
    esac
    shift
done
if [ $build = yes ]; then
    # -am: the reactor's own kernel and drivers, never a snapshot another checkout installed.
    mvn -B -ntp -q -Dstyle.color=never -pl mgmt,bench -am package -DskipTests
fi
out=bench/results/$(date +%Y%m%d-%H%M%S)-$mode
mkdir -p "$out"
cp="bench/target/bench.jar:bench/target/lib/*"
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp $cp"
leftovers() {
    # Every benchmark removes what it makes; an interrupted run may not have: report and remove its state
    # tmpfs mounts and empty cgroups.
    for m in $(awk '$1 == "jctr-bench-state" { print $2 }' /proc/mounts); do
        echo "bench: unmounting leftover $m" >&2
        umount --lazy "$m" || true
    done
    for d in /sys/fs/cgroup/*/jctr-test/jctr-bench-*; do
        [ -d "$d" ] && { echo "bench: removing leftover cgroup $d" >&2; rmdir "$d" 2>/dev/null || true; }
    done
    return 0
}
trap leftovers EXIT
echo "bench: $mode run, results in $out"
$java jctr.bench.BenchRunner "$mode" "$out" 2>&1 | tee "$out/jmh.log" | grep -E '^(# (Benchmark|Parameters|Threads):|Result|bench:)' || true
if [ "$mode" = full ]; then
    # Separate JVMs: the memory figures must not include JMH's, and neither should disturb the other.
    $java jctr.bench.CowCost "$out/cow.json"
    $java jctr.bench.MemoryFootprint "$out/memory.json" 50
fi
for f in "$out"/jmh-*.json; do
    [ -s "$f" ] || { echo "bench: $f is missing or empty: a benchmark failed, see $out/jmh.log" >&2; exit 1; }
done
if [ "$mode" = quick ]; then
    status=0
    $java jctr.bench.Report "$out" --gate bench/results/baseline.json "$tolerance" >"$out/report.log" || status=$?
    sed -n '/^## Gate/,$p' "$out/report.log"
    if [ $update = yes ]; then
        cp "$out/ratios.json" bench/results/baseline.json
        echo "bench: bench/results/baseline.json updated from $out/ratios.json"
        status=0
    fi
    exit $status
fi
$java jctr.bench.Report "$out" >"$out/report.log"
echo "bench: report in $out/summary.md"
