#!/bin/sh
# Prints a markdown table comparing run.sh results of several runtimes.
# usage: compare.sh NAME=RESULT_DIR [NAME=RESULT_DIR ...]
# Each cell is "ok/not ok" of the program's top-level TAP lines (skips in
# brackets) followed by the program verdict (PASS, FAIL, TIMEOUT); "exit N"
# when the program died before printing a test.
set -e
[ $# -gt 0 ] || { echo "usage: $0 NAME=RESULT_DIR ..." >&2; exit 2; }
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
for arg in "$@"; do
    name=${arg%%=*}; dir=${arg#*=}
    awk -F'\t' -v name="$name" 'NR > 1 {print name "\t" $0}' "$dir/summary.tsv" >> "$TMP"
done
awk -F'\t' -v names="$(for a in "$@"; do printf '%s ' "${a%%=*}"; done)" '
    BEGIN { n = split(names, rt, " ") }
    {
        key = $1 SUBSEP $2
        if ($2 == "TOTAL") {
            total[$1] = sprintf("**%d / %d** [%d], %s", $3, $4, $5, $11)
            secs[$1] = $10
            next
        }
        if (!($2 in seen)) { seen[$2] = 1; order[++m] = $2 }
        cell = $3 "/" $4
        if ($5 > 0) cell = cell " [" $5 "]"
        if ($3 + $4 + $5 + $6 == 0) cell = "exit " $8
        if ($11 == "PASS") { cell = cell " PASS"; pass[$1]++ } else cell = cell " " $11
        c[key] = cell
    }
    END {
        printf "| program |"; for (i = 1; i <= n; i++) printf " %s |", rt[i]; printf "\n"
        printf "|---|"; for (i = 1; i <= n; i++) printf "---|"; printf "\n"
        for (j = 1; j <= m; j++) {
            p = order[j]; printf "| %s |", p
            for (i = 1; i <= n; i++) printf " %s |", ((rt[i] SUBSEP p) in c) ? c[rt[i] SUBSEP p] : "-"
            printf "\n"
        }
        printf "| **total ok / not ok [skip], programs passing** |"
        for (i = 1; i <= n; i++) printf " %s |", total[rt[i]]
        printf "\n| run time (s) |"
        for (i = 1; i <= n; i++) printf " %s |", secs[rt[i]]
        printf "\n"
    }' "$TMP"
