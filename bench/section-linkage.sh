#!/bin/sh
# bench/section-linkage.sh: the record-linkage benchmark (run by bench/run).
#
# 1. `safehub synth` writes BENCH_LINK_RECORDS (1,000,000) synthetic people with
#    their true pairs; `safehub link` deduplicates them with default settings
#    on every core.  Printed: wall time, records/s, candidate pairs scored/s
#    and comparisons/s, peak memory (maximum resident set size), and pairwise
#    precision, recall and F1 against the truth.  The anchor: Splink links "a
#    million records on a laptop in around a minute" on 4 or more cores; the
#    aim here is under a minute on 2 cores within 4 GiB.
# 2. FEBRL 3 (deduplication) and FEBRL 4 (A to B), converted by
#    tests/linkage/tools.mjs: wall time, precision, recall and F1.
#
# Prints figures; never fails because the machine is slow.  Exits non-zero
# only when something could not run at all.
#
# Settings (environment), besides those in bench/lib.sh:
#   BENCH_LINK_RECORDS  synthetic records (1000000)
#   BENCH_LINK_SEED     seed of the synthetic people (1)
#   BENCH_LINK_THREADS  worker threads (0: every core)
#   FEBRL_DIR           the FEBRL files and their true pairs (../shared/data/febrl)
set -u
BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)}
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

BENCH_LINK_RECORDS=${BENCH_LINK_RECORDS:-1000000}
BENCH_LINK_SEED=${BENCH_LINK_SEED:-1}
BENCH_LINK_THREADS=${BENCH_LINK_THREADS:-0}
FEBRL_DIR=${FEBRL_DIR:-$REPO/../shared/data/febrl}
[ -d "$FEBRL_DIR" ] || FEBRL_DIR=/work/shared/data/febrl
TOOLS=$REPO/tests/linkage/tools.mjs

command -v node >/dev/null 2>&1 || bench_die "linkage: 'node' is needed to score the results"
[ -x /usr/bin/time ] || bench_die "linkage: /usr/bin/time is needed for peak memory (Debian package time)"

threads_opt=""
[ "$BENCH_LINK_THREADS" -gt 0 ] 2>/dev/null && threads_opt="--threads $BENCH_LINK_THREADS"

# Prints "precision P, recall R, F1 F" of pairs $1 against truth $2.
link_score() {
  node "$TOOLS" score "$1" "$2" | node -e '
    let s = ""; process.stdin.on("data", d => (s += d)).on("end", () => {
      const j = JSON.parse(s);
      console.log(`precision ${j.precision.toFixed(4)}, recall ${j.recall.toFixed(4)}, F1 ${j.f1.toFixed(4)}` +
                  ` (${j.correct} of ${j.found} found pairs true; ${j.true} true pairs)`);
    });'
}

# link_timed NAME OUTPUT ARGS...: runs safehub link under /usr/bin/time; sets
# WALL (s) and PEAK (MiB), keeps its summary in $BENCH_TMP/NAME.out.
link_timed() {
  _name=$1
  shift
  if ! /usr/bin/time -f '%e %M' -o "$BENCH_TMP/$_name.time" "$SAFEHUB_BIN" link $threads_opt "$@" \
    >"$BENCH_TMP/$_name.out" 2>"$BENCH_TMP/$_name.err"; then
    bench_note "linkage: $_name: safehub link failed:"
    tail -n 5 "$BENCH_TMP/$_name.err" >&2
    return 1
  fi
  WALL=$(awk '{ print $1 }' "$BENCH_TMP/$_name.time")
  PEAK=$(awk '{ printf "%.0f", $2 / 1024 }' "$BENCH_TMP/$_name.time")
}

# Figures from safehub link's own summary.
summary_field() { sed -n "$2" "$BENCH_TMP/$1.out" | head -n 1; }

echo "1. Deduplicating $BENCH_LINK_RECORDS synthetic people (safehub synth --seed $BENCH_LINK_SEED)"
t0=$(bench_now)
"$SAFEHUB_BIN" synth --records "$BENCH_LINK_RECORDS" --seed "$BENCH_LINK_SEED" \
  --output "$BENCH_TMP/people.csv" --truth "$BENCH_TMP/truth.csv" >"$BENCH_TMP/synth.out" ||
  bench_die "linkage: safehub synth failed"
t1=$(bench_now)
echo "   generated in $(bench_elapsed "$t0" "$t1") s: $(cat "$BENCH_TMP/synth.out")"
link_timed synth --input "$BENCH_TMP/people.csv" --output "$BENCH_TMP/pairs.csv" || exit 1
cands=$(summary_field synth 's/^link: \([0-9]*\) candidate pairs compared.*/\1/p')
scored=$(summary_field synth 's/.*; \([0-9]*\) candidate pairs scored\/s.*/\1/p')
comps=$(summary_field synth 's/.*; \([0-9]*\) comparisons in all.*/\1/p')
threads=$(summary_field synth 's/^link: [0-9.]* s on \([0-9]*\) threads.*/\1/p')
echo "   wall time:        $WALL s on $threads threads"
echo "   records/s:        $(awk -v n="$BENCH_LINK_RECORDS" -v w="$WALL" 'BEGIN { printf "%.0f", (w > 0) ? n / w : 0 }')"
echo "   candidate pairs:  $cands, scored at $scored/s"
echo "   comparisons/s:    $(awk -v n="$comps" -v w="$WALL" 'BEGIN { printf "%.0f", (w > 0) ? n / w : 0 }') over the whole run ($comps comparisons, training included)"
echo "   peak memory:      $PEAK MiB (maximum resident set size)"
echo "   accuracy:         $(link_score "$BENCH_TMP/pairs.csv" "$BENCH_TMP/truth.csv")"
echo "   phases:           $(summary_field synth 's/^link: [0-9.]* s on [0-9]* threads (\([^)]*\)).*/\1/p')"
echo "   anchor:           Splink, ~60 s for a million records on 4+ cores; here $WALL s on $threads"

echo
echo "2. FEBRL benchmark files ($FEBRL_DIR), default settings"
if [ ! -f "$FEBRL_DIR/dataset3.csv" ]; then
  echo "   FEBRL files not found: skipped (set FEBRL_DIR)"
  exit 0
fi
for s in 3 4a 4b; do
  node "$TOOLS" febrl "$FEBRL_DIR/dataset$s.csv" "$BENCH_TMP/febrl$s.csv" >/dev/null ||
    bench_die "linkage: converting FEBRL $s failed"
done
link_timed febrl3 --input "$BENCH_TMP/febrl3.csv" --output "$BENCH_TMP/p3.csv" || exit 1
echo "   FEBRL 3 (dedupe, 5000 records): $WALL s, $PEAK MiB; $(link_score "$BENCH_TMP/p3.csv" "$FEBRL_DIR/true_pairs_dataset3.csv")"
link_timed febrl4 --input "$BENCH_TMP/febrl4a.csv" --input "$BENCH_TMP/febrl4b.csv" --output "$BENCH_TMP/p4.csv" || exit 1
echo "   FEBRL 4 (A to B, 5000 x 5000): $WALL s, $PEAK MiB; $(link_score "$BENCH_TMP/p4.csv" "$FEBRL_DIR/true_pairs_dataset4.csv")"
