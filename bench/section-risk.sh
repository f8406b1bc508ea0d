#!/bin/sh
# bench/section-risk.sh: the CSE risk overview benchmark (run by bench/run).
#
# The workload: a demo borough of BENCH_RISK_CHILDREN (100,000) children on
# SQLite (safehub demo), topped up by bench/risk-data.sql to
# BENCH_RISK_ASSESSMENTS (500,000) risk assessments: every child assessed a
# few times over the last years, the latest current, with a realistic spread
# of levels, judgements, countersignatures and review dates (about one current
# review in eight overdue).
#
# GET /api/v1/risk/overview as a manager (bearer token: managers and the
# director see it), BENCH_RISK_REQUESTS (7) requests one after another after
# one warm-up: median, fastest and slowest.  Beside it, in the same run, what
# the overview reads as plain SQL (bench/risk-overview.sql: the level counts,
# the three lists of 20 and the out-of-date children, one statement each)
# timed by the sqlite3 shell's .timer in one process with Safehub's page
# cache, as many times: the median of the totals, and the ratio.  Target: the
# overview within 2x of the plain SQL.  The figures the two give are compared.
#
# Prints figures; never fails because the machine is slow.  Exits non-zero
# only when something could not run at all.
#
# Settings (environment), besides those in bench/lib.sh:
#   BENCH_RISK_CHILDREN     children of the demo borough (100000)
#   BENCH_RISK_ASSESSMENTS  risk assessments in all (500000)
#   BENCH_RISK_REQUESTS     timed requests, and timed runs of the plain SQL (7)
#   BENCH_SEED              seed of the synthetic borough (1)
set -u
BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)}
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

BENCH_RISK_CHILDREN=${BENCH_RISK_CHILDREN:-100000}
BENCH_RISK_ASSESSMENTS=${BENCH_RISK_ASSESSMENTS:-500000}
BENCH_RISK_REQUESTS=${BENCH_RISK_REQUESTS:-7}
BENCH_SEED=${BENCH_SEED:-1}
[ "$BENCH_RISK_REQUESTS" -ge 1 ] 2>/dev/null || BENCH_RISK_REQUESTS=1

for tool in curl sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || bench_die "risk: '$tool' is needed (Debian package ${tool})"
done

# Thousands separators for counts.
n_fmt() { printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# median / min / max of the numbers on standard input, one a line: "MEDIAN MIN MAX".
stats() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "0 0 0"; exit }
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'; }

dir=$BENCH_TMP/risk
db=$dir/safehub.db
bench_install risk "$db" || bench_die "risk: safehub init failed"

# ---------------------------------------------------------------- the workload
t0=$(bench_now)
"$SAFEHUB_BIN" demo --children "$BENCH_RISK_CHILDREN" --seed "$BENCH_SEED" >"$dir/demo.out" 2>&1 || {
  tail -n 20 "$dir/demo.out" >&2
  bench_die "risk: safehub demo failed"
}
t1=$(bench_now)
{
  echo "CREATE TEMP TABLE bench (now INTEGER, assessments INTEGER);"
  echo "INSERT INTO bench VALUES ($(date +%s), $BENCH_RISK_ASSESSMENTS);"
  echo "BEGIN;"
  cat "$BENCH_DIR/risk-data.sql"
  echo "COMMIT;"
} | sqlite3 -bail "$db" >"$dir/data.out" 2>&1 || {
  cat "$dir/data.out" >&2
  bench_die "risk: bench/risk-data.sql failed"
}
t2=$(bench_now)
now=$(date +%s)
# shellcheck disable=SC2046 # the fields are meant to split
set -- $(sqlite3 -separator ' ' "$db" "SELECT (SELECT COUNT(*) FROM risk_assessments), COUNT(*),
  SUM(final_level = 'no_apparent_risk'), SUM(final_level = 'low'), SUM(final_level = 'medium'), SUM(final_level = 'high'),
  SUM(review_due_at <= $now), SUM(review_due_at > $now AND review_due_at <= $now + 14 * 86400)
  FROM risk_assessments WHERE is_current = 1")
echo "workload: demo borough of $(n_fmt "$BENCH_RISK_CHILDREN") children loaded in $(bench_elapsed "$t0" "$t1") s; assessments added in $(bench_elapsed "$t1" "$t2") s (bench/risk-data.sql)"
echo "  $(n_fmt "$1") risk assessments, $(n_fmt "$2") current (children assessed)"
echo "  current levels: no apparent risk $(n_fmt "$3"), low $(n_fmt "$4"), medium $(n_fmt "$5"), high $(n_fmt "$6");"\
  "reviews overdue $(n_fmt "$7"), due within 14 days $(n_fmt "$8")"

# ---------------------------------------------------------------- the overview
token=$("$SAFEHUB_BIN" token create --username manager 2>"$dir/token.err") || {
  cat "$dir/token.err" >&2
  bench_die "risk: safehub token create failed"
}
bench_serve "$dir/serve.log" || bench_die "risk: the server did not start"
pid=$SERVER_PID url=$SERVER_URL
echo
echo "GET /api/v1/risk/overview as a manager (bearer token), $BENCH_RISK_REQUESTS requests one after another after one warm-up"
: >"$dir/api.times"
api_ok=1
i=0
while [ $i -le "$BENCH_RISK_REQUESTS" ]; do
  res=$(curl -s -o "$dir/overview.json" -w '%{http_code} %{time_total}' --max-time 300 \
    -H "Authorization: Bearer $token" "$url/api/v1/risk/overview")
  if [ "${res%% *}" != 200 ]; then
    bench_note "risk: GET $url/api/v1/risk/overview answered ${res%% *} after ${res#* } s:"
    head -c 600 "$dir/overview.json" >&2
    echo >&2
    api_ok=0
    break
  fi
  [ $i -gt 0 ] && echo "${res#* }" >>"$dir/api.times"
  i=$((i + 1))
done
hwm=$(bench_vmhwm "$pid")
bench_stop "$pid"
[ $api_ok = 1 ] || bench_die "risk: the overview could not be measured"
# shellcheck disable=SC2046 # the fields are meant to split
set -- $(stats <"$dir/api.times")
A_MED=$1 A_MIN=$2 A_MAX=$3
size=$(wc -c <"$dir/overview.json" | tr -d ' ')
printf '   %-36s median %7s s   (fastest %s s, slowest %s s; %s bytes; server peak memory %s MiB)\n' \
  "the overview" "$A_MED" "$A_MIN" "$A_MAX" "$(n_fmt "$size")" "$hwm"

# ---------------------------------------------------------------- the plain SQL
now=$(date +%s)
soon=$((now + 14 * 86400))
{
  echo "PRAGMA cache_size=-32000;"
  echo ".output /dev/null"
  echo ".timer on"
  i=0
  while [ $i -le "$BENCH_RISK_REQUESTS" ]; do
    sed -e "s/@NOW@/$now/g" -e "s/@SOON@/$soon/g" "$BENCH_DIR/risk-overview.sql"
    i=$((i + 1))
  done
} >"$dir/overview-timed.sql"
sqlite3 -bail "$db" <"$dir/overview-timed.sql" >"$dir/sql.out" 2>&1 || {
  cat "$dir/sql.out" >&2
  bench_die "risk: the plain SQL failed"
}
# Totals per run (the first run is the warm-up, as for the requests).
nst=$(grep -c ';$' "$BENCH_DIR/risk-overview.sql")
awk -v n="$nst" '/^Run Time: real/ { t[int(k / n)] += $4; k++ } END { for (r = 1; r < k / n; r++) printf "%.3f\n", t[r] }' \
  "$dir/sql.out" >"$dir/sql.times"
# shellcheck disable=SC2046 # the fields are meant to split
set -- $(stats <"$dir/sql.times")
S_MED=$1 S_MIN=$2 S_MAX=$3
printf '   %-36s median %7s s   (fastest %s s, slowest %s s; %s statements a run, sqlite3 shell in one process)\n' \
  "plain SQL (bench/risk-overview.sql)" "$S_MED" "$S_MIN" "$S_MAX" "$nst"
echo "   ratio, overview / plain SQL: $(ratio_of "$A_MED" "$S_MED")   (target: within 2x)"
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
if awk -v l="${load:-0}" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
  echo "   (load average $load on $(nproc) cores just after: other work was competing, the times are disturbed)"
else
  echo "   (load average ${load:-?} on $(nproc) cores just after)"
fi

# The same figures?  Totals from the plain SQL beside the overview's.
# shellcheck disable=SC2046 # the fields are meant to split
set -- $(sed -e "s/@NOW@/$now/g" -e "s/@SOON@/$soon/g" "$BENCH_DIR/risk-overview.sql" | sqlite3 -separator '|' "$db" |
  awk -F'|' 'NF == 7 { c += $2; o += $3; s += $4; r += $5; l += $6; w += $7 } NF == 11 && st == "" { st = $1 }
             END { print c + 0, o + 0, s + 0, r + 0, l + 0, w + 0, st + 0 }')
j() { sed -n "s/.*$1\([0-9]*\).*/\1/p" "$dir/overview.json" | head -n 1; }
api="$(j '"assessed_children":') $(j '"reviews":{"overdue":') $(j '"reviews":{"overdue":[0-9]*,"due_soon":')"
api="$api $(j '"changed_by_judgement":{"raised":') $(j '"changed_by_judgement":{"raised":[0-9]*,"lowered":')"
api="$api $(j '"awaiting_countersignature":') $(j '"out_of_date":{"count":')"
echo "   figures (children, reviews overdue, due soon, raised, lowered, awaiting countersignature, out of date):"
echo "     overview:  $api"
echo "     plain SQL: $*"
[ "$api" = "$*" ] || echo "     (they differ: the overview was taken a few seconds earlier; reviews falling due in between move)"
exit 0
