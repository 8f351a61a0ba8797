#!/bin/bash
# Runs the OCI runtime-tools validation programs against one runtime and
# collects per-program TAP results. The suite itself is NOT part of this
# repository: build it beside the project as README.md (next to this file)
# describes and pass its directory.
#
# usage: run.sh [options] SUITE_DIR RUNTIME [OUT_DIR]
#   SUITE_DIR  directory holding runtimetest, rootfs-amd64.tar.gz and
#              validation/*.t (or set OCI_SUITE and pass "" / omit nothing)
#   RUNTIME    the runtime binary (runc, crun, ./bin/jctr-runc, ...)
#   OUT_DIR    where results go (default: ./oci-validation-results/<name>)
# options:
#   --global "FLAGS"   extra global flags put before every subcommand
#                      (e.g. "--cgroup-manager=disabled" for crun)
#   --only "a b c"     run only these programs (names without .t)
#   --timeout SECONDS  per-program limit (default 300)
#   --no-cgroup-move   stay in the caller's cgroups (see below)
#
# The runtime is driven through a generated wrapper that adds a private
# "--root" state directory, so leftovers can be found and force-deleted
# after every program without touching anyone else's containers. The
# programs get a private TMPDIR, so their bundles (and bundle mounts a
# runtime leaks to the host) are found and removed after each program.
#
# Unless --no-cgroup-move is given, the runner first moves itself into a
# fresh /sys/fs/cgroup/<controller>/jctr-test/oci-validation-<pid> cgroup on
# every v1 hierarchy and in the cgroup2 mount, so containers that use relative cgroup paths (the
# default for runc and crun) are created under jctr-test as the host rules
# require, and removes those cgroups at the end.
#
# Results: OUT_DIR/<program>.tap (stdout), .err (stderr), .rc (exit code),
# .meta (leftover containers, seconds), summary.tsv (one row per program plus
# TOTAL, written by score.sh, which says how programs are scored), prove.txt
# (the verdict of `prove` replaying the recorded TAP and exit codes),
# leftovers.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)

GLOBAL=""
ONLY=""
TIMEOUT=300
MOVE_CGROUP=1
while [ $# -gt 0 ]; do
    case "$1" in
        --global) GLOBAL="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --timeout) TIMEOUT="$2"; shift 2 ;;
        --no-cgroup-move) MOVE_CGROUP=0; shift ;;
        -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
        --) shift; break ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done

SUITE=${1:-${OCI_SUITE:-}}
RUNTIME_BIN=${2:-}
if [ -z "$SUITE" ] || [ -z "$RUNTIME_BIN" ]; then
    echo "usage: $0 [options] SUITE_DIR RUNTIME [OUT_DIR]" >&2
    exit 2
fi
SUITE=$(cd "$SUITE" && pwd) || exit 2
for f in runtimetest rootfs-amd64.tar.gz; do
    [ -e "$SUITE/$f" ] || { echo "$SUITE/$f missing: build the suite first" >&2; exit 2; }
done
RUNTIME_ABS=$(command -v "$RUNTIME_BIN") || { echo "runtime $RUNTIME_BIN not found" >&2; exit 2; }
case "$RUNTIME_ABS" in /*) ;; *) RUNTIME_ABS="$(pwd)/$RUNTIME_ABS" ;; esac
NAME=$(basename "$RUNTIME_BIN")
OUT=${3:-"$(pwd)/oci-validation-results/$NAME"}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/*.tap "$OUT"/*.err "$OUT"/*.rc "$OUT"/*.meta "$OUT/elapsed" "$OUT/leftovers.during"

WORK=$(mktemp -d /tmp/oci-validation.XXXXXX)
STATE="$WORK/state"
mkdir -p "$STATE" "$WORK/tmp"
# Containers whose root maps to an unprivileged host uid (user namespaces)
# must be able to reach their bundle: mktemp's 0700 would stop them.
chmod 711 "$WORK"
chmod 755 "$WORK/tmp"
WRAPPER="$WORK/$NAME"
cat > "$WRAPPER" <<EOF
#!/bin/sh
exec "$RUNTIME_ABS" --root "$STATE" $GLOBAL "\$@"
EOF
chmod +x "$WRAPPER"

# --- cgroup placement -------------------------------------------------------
MY_CGROUPS=()
ORIG_CGROUPS=()
CGROUP2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
place_in_test_cgroups() {
    local lines line hid ctrl path dir
    # Read the whole file first: it changes as we move, and a lazy read would
    # resume mid-line.
    mapfile -t lines < /proc/self/cgroup
    for line in "${lines[@]}"; do
        IFS=: read -r hid ctrl path <<< "$line"
        ctrl=${ctrl#name=}
        if [ "$hid" = 0 ]; then
            dir=$CGROUP2             # hybrid: the cgroup2 mount, e.g. .../unified
            [ -n "$dir" ] || continue
        else
            case "$ctrl" in ""|*/*) continue ;; esac
            dir=/sys/fs/cgroup/$ctrl
            # only real cgroup v1 mounts, never the tmpfs that holds them
            [ "$(stat -f -c %T "$dir" 2>/dev/null)" = cgroupfs ] || continue
        fi
        mkdir -p "$dir/jctr-test" 2>/dev/null || continue
        mkdir "$dir/jctr-test/oci-validation-$$" 2>/dev/null || continue
        # cpuset children start empty: inherit the parent's sets first
        if [ -e "$dir/cpuset.cpus" ]; then
            for k in cpuset.cpus cpuset.mems; do
                [ -s "$dir/jctr-test/$k" ] || cat "$dir/$k" > "$dir/jctr-test/$k"
                cat "$dir/jctr-test/$k" > "$dir/jctr-test/oci-validation-$$/$k"
            done
        fi
        echo $$ > "$dir/jctr-test/oci-validation-$$/cgroup.procs" || continue
        MY_CGROUPS+=("$dir/jctr-test/oci-validation-$$")
        ORIG_CGROUPS+=("$dir$path")
    done
}
leave_test_cgroups() {
    local i
    for i in "${!MY_CGROUPS[@]}"; do
        echo $$ > "${ORIG_CGROUPS[$i]}/cgroup.procs" 2>/dev/null || true
    done
    for i in "${!MY_CGROUPS[@]}"; do
        # children left by runtimes (relative cgroup paths), deepest first
        find "${MY_CGROUPS[$i]}" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
        rmdir "${MY_CGROUPS[$i]}" 2>/dev/null || echo "could not remove ${MY_CGROUPS[$i]}" >&2
        rmdir "$(dirname "${MY_CGROUPS[$i]}")" 2>/dev/null || true   # only if empty
    done
}
[ $MOVE_CGROUP = 1 ] && place_in_test_cgroups

# --- leftovers ----------------------------------------------------------------
container_ids() {
    # the first column of `list`, header skipped; works for runc, crun and jctr-runc
    "$WRAPPER" list 2>/dev/null | awk 'NR > 1 && $1 != "" {print $1}'
}
cleanup_containers() {
    local id n=0
    for id in $(container_ids); do
        "$WRAPPER" delete --force "$id" >/dev/null 2>&1 || "$WRAPPER" kill "$id" KILL >/dev/null 2>&1
        "$WRAPPER" delete --force "$id" >/dev/null 2>&1
        n=$((n + 1))
    done
    echo $n
}
unmount_leaked_bundles() {
    # Bundles live in $WORK/tmp (the programs' TMPDIR); a runtime that lets
    # container mounts propagate back (rootfsPropagation "shared", no mount
    # namespace) leaves them mounted on the host.
    local mp n=0
    for mp in $(awk -v p="$WORK/tmp/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -u); do
        mountpoint -q "$mp" && umount -R -l "$mp" 2>/dev/null && n=$((n + 1))
    done
    echo $n
}
remove_bundles() {
    # Programs that end through os.Exit skip their deferred bundle removal.
    # Never descend into a mount: a leaked bind of /etc must not lose files.
    local b
    for b in "$WORK"/tmp/*; do
        [ -e "$b" ] || continue
        awk -v p="$b" '$5 == p || index($5, p "/") == 1 {found = 1} END {exit !found}' /proc/self/mountinfo \
            && continue
        rm -rf --one-file-system "$b"
    done
}
snapshot() {
    awk '{print $5}' /proc/self/mountinfo | sort
}
remove_leaked_cgroups() {
    # Empty cgroups that appeared during the program and carry the suite's
    # names (testdir/cgrouptest) or a container UUID: what the runtime failed
    # to remove. Anything else new is left alone (other users of the host).
    local d n=0
    cgroup_snapshot > "$WORK/cgroups.now"
    for d in $(comm -13 "$WORK/cgroups.prog" "$WORK/cgroups.now" | sort -r); do
        case "$d" in
            */testdir*|*/cgrouptest*|*/????????-????-????-????-????????????*)
                [ -d "$d" ] || continue
                # its subtree too (e.g. testdir/cgrouptest/container), deepest first
                find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
                [ -d "$d" ] || n=$((n + 1)) ;;
        esac
    done
    echo $n
}
cgroup_snapshot() {
    # top two levels of every hierarchy (other users' changes show up too)
    # plus everything under jctr-test
    { find /sys/fs/cgroup/*/ -mindepth 1 -maxdepth 2 -type d
      find /sys/fs/cgroup/*/jctr-test -mindepth 1 -maxdepth 4 -type d; } 2>/dev/null | sort -u
}

cd "$SUITE" || exit 2
snapshot > "$WORK/mounts.before"
cgroup_snapshot > "$WORK/cgroups.before"

if [ -n "$ONLY" ]; then
    PROGRAMS=""
    for p in $ONLY; do PROGRAMS="$PROGRAMS validation/$p.t"; done
else
    PROGRAMS=$(ls validation/*.t)
fi

START_ALL=$(date +%s)
for prog in $PROGRAMS; do
    base=$(basename "$prog" .t)
    cgroup_snapshot > "$WORK/cgroups.prog"
    start=$(date +%s.%N)
    RUNTIME="$WRAPPER" TMPDIR="$WORK/tmp" timeout --kill-after=10 "$TIMEOUT" "./$prog" > "$OUT/$base.tap" 2> "$OUT/$base.err" < /dev/null
    rc=$?
    end=$(date +%s.%N)
    echo $rc > "$OUT/$base.rc"
    left=$(cleanup_containers)
    leaked=$(unmount_leaked_bundles)
    [ "$leaked" -gt 0 ] && echo "$base: unmounted $leaked leaked bundle mount(s)" >> "$OUT/leftovers.during"
    remove_bundles
    lcg=$(remove_leaked_cgroups)
    [ "$lcg" -gt 0 ] && echo "$base: removed $lcg cgroup dir(s) the runtime left" >> "$OUT/leftovers.during"
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
    echo "$left $secs" > "$OUT/$base.meta"
    printf '%-40s exit=%-3d %ss\n' "$base" "$rc" "$secs"
done
ELAPSED=$(( $(date +%s) - START_ALL ))
echo "$ELAPSED" > "$OUT/elapsed"
RESULT=$("$HERE/score.sh" "$OUT")

# prove's own verdict, replaying the recorded streams and exit codes. The
# diagnostic YAML blocks are dropped: prove's YAMLish reader rejects much of
# what the suite prints there (upstream drives the suite with node-tap).
cat > "$WORK/replay" <<'EOF'
#!/bin/sh
awk '/^ *---$/ {y = 1; next} y && /^ *\.\.\.$/ {y = 0; next} !y' "$1"
exit "$(cat "${1%.tap}.rc")"
EOF
chmod +x "$WORK/replay"
(cd "$OUT" && prove --exec "$WORK/replay" ./*.tap > prove.txt 2>&1)

[ $MOVE_CGROUP = 1 ] && leave_test_cgroups
snapshot > "$WORK/mounts.after"
cgroup_snapshot > "$WORK/cgroups.after"
{
    echo "containers still listed: $(container_ids | wc -l)"
    echo "mount points added:"; comm -13 "$WORK/mounts.before" "$WORK/mounts.after"
    echo "cgroup dirs added:";  comm -13 "$WORK/cgroups.before" "$WORK/cgroups.after"
    echo "cleaned up during the run:"; cat "$OUT/leftovers.during" 2>/dev/null
} > "$OUT/leftovers.txt"
rm -f "$OUT/leftovers.during"
remove_bundles
if awk -v p="$WORK/" 'index($5, p) == 1 {found = 1} END {exit !found}' /proc/self/mountinfo; then
    echo "mounts remain under $WORK; not removing it" >&2
else
    rm -rf --one-file-system "$WORK"
fi

echo "---"
echo "$NAME: $RESULT"
echo "results in $OUT (summary.tsv, prove.txt, leftovers.txt)"
cat "$OUT/leftovers.txt"
