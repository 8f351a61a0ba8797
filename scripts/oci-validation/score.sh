#!/bin/bash
# (Re)writes OUT_DIR/summary.tsv from the files run.sh recorded for each
# program: <program>.tap (stdout), .rc (exit code) and .meta (leftover
# containers, seconds). Prints the totals line.
#
# usage: score.sh OUT_DIR
#
# Counting: top-level TAP lines only ("ok", "not ok", "# SKIP", "# TODO");
# the nested runtimetest output sits in indented YAML blocks. Verdict:
#   PASS    exit 0, at least one test, no "not ok", as many tests as the
#           plan(s) announced; or exit 0 with no test line and no diagnostic
#           block at all: the hook programs and the *_fail programs report a
#           failure only as a diagnostic (or a non-zero exit), so silence is
#           their success
#   TIMEOUT killed by run.sh's per-program limit
#   FAIL    anything else
set -u
OUT=${1:?usage: score.sh OUT_DIR}
cd "$OUT" || exit 2
OLD=$(mktemp)
trap 'rm -f "$OLD"' EXIT
[ -f summary.tsv ] && cp summary.tsv "$OLD"

printf 'program\tok\tnot_ok\tskip\ttodo\tplanned\texit\tleftover_containers\tseconds\tverdict\n' > summary.tsv
T_OK=0; T_NOK=0; T_SKIP=0; T_TODO=0; T_PASS=0; T_PROGS=0; T_SECS=0
for tap in *.tap; do
    [ -e "$tap" ] || continue
    base=${tap%.tap}
    rc=$(cat "$base.rc" 2>/dev/null || echo 255)
    if [ -f "$base.meta" ]; then
        read -r left secs < "$base.meta"
    else    # results recorded before .meta files existed
        read -r left secs < <(awk -F'\t' -v p="$base" '$1 == p {print $8, $9}' "$OLD")
    fi
    left=${left:-0}; secs=${secs:-0}
    read -r ok nok skip todo planned diag < <(awk '
        /^  ---$/                  {diag++; next}
        /^ok [0-9]+ # SKIP/        {skip++; next}
        /^(not )?ok [0-9]+ # TODO/ {todo++; next}
        /^ok [0-9]+/               {ok++; next}
        /^not ok [0-9]+/           {nok++; next}
        /^1\.\.[0-9]+/             {n = $1; sub(/^1\.\./, "", n); planned += n}
        END {printf "%d %d %d %d %d %d\n", ok, nok, skip, todo, planned, diag}' "$tap")
    total=$((ok + nok + skip + todo))
    if [ "$rc" = 0 ] && [ "$nok" = 0 ] && [ "$total" -gt 0 ] && [ "$planned" = "$total" ]; then
        verdict=PASS
    elif [ "$rc" = 0 ] && [ "$total" = 0 ] && [ "$diag" = 0 ]; then
        verdict=PASS
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        verdict=TIMEOUT
    else
        verdict=FAIL
    fi
    [ "$verdict" = PASS ] && T_PASS=$((T_PASS + 1))
    printf '%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n' "$base" "$ok" "$nok" "$skip" "$todo" "$planned" "$rc" "$left" "$secs" "$verdict" >> summary.tsv
    T_OK=$((T_OK + ok)); T_NOK=$((T_NOK + nok)); T_SKIP=$((T_SKIP + skip)); T_TODO=$((T_TODO + todo))
    T_PROGS=$((T_PROGS + 1))
done
# wall time of the whole run if run.sh recorded it, else the sum of the programs
if [ -f elapsed ]; then T_SECS=$(cat elapsed)
else T_SECS=$(awk -F'\t' '$1 == "TOTAL" {print $9}' "$OLD")
fi
[ -n "$T_SECS" ] || T_SECS=$(awk -F'\t' 'NR > 1 {s += $9} END {printf "%d", s}' summary.tsv)
printf 'TOTAL\t%d\t%d\t%d\t%d\t-\t-\t-\t%s\t%d/%d programs pass\n' "$T_OK" "$T_NOK" "$T_SKIP" "$T_TODO" "$T_SECS" "$T_PASS" "$T_PROGS" >> summary.tsv
echo "$T_OK ok, $T_NOK not ok, $T_SKIP skipped, $T_TODO todo; $T_PASS/$T_PROGS programs pass; ${T_SECS}s"
