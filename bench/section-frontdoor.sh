#!/bin/sh
# bench/section-frontdoor.sh: the front door benchmark (run by bench/run).
#
# The workload: a demo borough (safehub demo --children BENCH_FD_CHILDREN) on
# SQLite, topped up by bench/frontdoor-data.sql to BENCH_FD_REFERRALS (10,000)
# open referrals at every open stage and BENCH_FD_ITEMS (100,000) open deadline
# items in all (the referrals' own deadlines, then reviews of CSE risk
# assessments on real children), owned by a service's staff with a management
# chain up to the director (workers, team managers, head of service, director;
# MASH workers; items nobody has picked up sit in the MASH queue), about a
# fifth of them overdue.
#
# 1. Deadline evaluation: `safehub sla run --as-of NOW`, with the time it
#    measures itself ("evaluated in X s").  The first run escalates every
#    overdue item up the chain (writes escalations, notifications and audit
#    entries); the runs after it find nothing new (read only): the second,
#    and the median of BENCH_FD_REPEAT (3) such runs.  Taking turns with
#    them, the evaluation's own query (store_deadlines_overdue in
#    src/store/store_deadline.c) on the same rows, timed in process by
#    bench/frontdoor-query.c in a fresh process each time like the command
#    (median, and the best of 3 on one connection), and the ratio of the
#    medians.  Target: the evaluation within 2x of the plain query.
# 2. The MASH queue page (GET /referrals, its first page as a MASH worker sees
#    it: open referrals, soonest deadline first, 50 a page) with the session
#    cookie of a MASH worker signed in through POST /api/v1/session (the bench
#    installation asks no role for a second factor: SAFEHUB_TOTP_ROLES empty),
#    under wrk: p50, p95 and p99, requests/s, one user at a time and
#    BENCH_FD_CONNECTIONS (8) at once.
#
# Prints figures; never fails because the machine is slow.  Exits non-zero
# only when something could not run at all.
#
# Settings (environment), besides those in bench/lib.sh:
#   BENCH_FD_CHILDREN     children of the demo borough (50000)
#   BENCH_FD_REFERRALS    open referrals in all (10000)
#   BENCH_FD_ITEMS        open deadline items in all (100000)
#   BENCH_FD_CONNECTIONS  wrk connections for the busy-office figure of the queue page (8)
#   BENCH_FD_REPEAT       read-only evaluations and plain queries timed, for the medians (3)
#   BENCH_SEED            seed of the synthetic borough (1)
set -u
BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)}
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

BENCH_FD_CHILDREN=${BENCH_FD_CHILDREN:-50000}
BENCH_FD_REFERRALS=${BENCH_FD_REFERRALS:-10000}
BENCH_FD_ITEMS=${BENCH_FD_ITEMS:-100000}
BENCH_FD_CONNECTIONS=${BENCH_FD_CONNECTIONS:-8}
BENCH_FD_REPEAT=${BENCH_FD_REPEAT:-3}
[ "$BENCH_FD_REPEAT" -ge 1 ] 2>/dev/null || BENCH_FD_REPEAT=1
BENCH_SEED=${BENCH_SEED:-1}
status=0

for tool in wrk curl sqlite3 pkg-config; do
  command -v "$tool" >/dev/null 2>&1 || bench_die "frontdoor: '$tool' is needed (Debian package ${tool})"
done

QUERY=$BENCH_BUILD/bench/frontdoor-query
bench_cc "$QUERY" "$BENCH_DIR/frontdoor-query.c" sqlite3 || bench_die "frontdoor: cannot build $QUERY"

# Thousands separators for counts.
n_fmt() { printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

dir=$BENCH_TMP/frontdoor
db=$dir/safehub.db
# The MASH worker signs in with a password only (see the header).
export SAFEHUB_TOTP_ROLES=
bench_install frontdoor "$db" || bench_die "frontdoor: safehub init failed"

# ---------------------------------------------------------------- the workload
t0=$(bench_now)
"$SAFEHUB_BIN" demo --children "$BENCH_FD_CHILDREN" --seed "$BENCH_SEED" >"$dir/demo.out" 2>&1 || {
  tail -n 20 "$dir/demo.out" >&2
  bench_die "frontdoor: safehub demo failed"
}
t1=$(bench_now)
have=$(sqlite3 "$db" "SELECT COUNT(*) FROM referrals WHERE is_open = 1")
add=$((BENCH_FD_REFERRALS - have))
[ "$add" -gt 0 ] || add=0
now=$(date +%s)
{
  echo "CREATE TEMP TABLE bench (now INTEGER, referrals INTEGER, open_items INTEGER);"
  echo "INSERT INTO bench VALUES ($now, $add, $BENCH_FD_ITEMS);"
  echo "BEGIN;"
  cat "$BENCH_DIR/frontdoor-data.sql"
  echo "COMMIT;"
} | sqlite3 -bail "$db" >"$dir/data.out" 2>&1 || {
  cat "$dir/data.out" >&2
  bench_die "frontdoor: bench/frontdoor-data.sql failed"
}
t2=$(bench_now)

# What the evaluation will find.
as_of=$(date -u +%Y-%m-%dT%H:%M:%SZ)
as_of_s=$(date -u -d "$as_of" +%s)
# shellcheck disable=SC2046 # the fields are meant to split
set -- $(sqlite3 -separator ' ' "$db" "SELECT COUNT(*), SUM(due_at <= $as_of_s), SUM(item_type = 'referral'),
  SUM(item_type = 'child' AND kind LIKE 'risk_review:%'), SUM(owner_id IS NULL), COUNT(DISTINCT owner_id)
  FROM deadlines WHERE met_at IS NULL")
open_n=$1 overdue_n=$2 ref_items=$3 review_items=$4 queue_items=$5 owners=$6
open_refs=$(sqlite3 "$db" "SELECT COUNT(*) FROM referrals WHERE is_open = 1")
staff=$(sqlite3 "$db" "SELECT COUNT(*) FROM users")

echo "workload: demo borough of $(n_fmt "$BENCH_FD_CHILDREN") children loaded in $(bench_elapsed "$t0" "$t1") s, topped up in $(bench_elapsed "$t1" "$t2") s (bench/frontdoor-data.sql)"
echo "  $(n_fmt "$open_n") open deadline items: $(n_fmt "$ref_items") on $(n_fmt "$open_refs") open referrals, $(n_fmt "$review_items") risk reviews, $((open_n - ref_items - review_items)) other"
echo "  $(n_fmt "$overdue_n") overdue at $as_of ($(awk -v a="$overdue_n" -v b="$open_n" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print 0 }')%);"\
  "$(n_fmt "$queue_items") in the MASH queue (nobody's yet), the rest owned by $owners of $staff users"

# ---------------------------------------------------------------- 1. the evaluation
echo
echo "1. deadline evaluation: safehub sla run --as-of $as_of (time measured by the command itself)"
sql="SELECT id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, created_at, met_at, level FROM deadlines WHERE met_at IS NULL AND due_at <= \$1 ORDER BY due_at"
# sla N: evaluation number N; its output in sla-N.out.  query N: the plain query in a fresh process, in query-N.out.
sla() {
  "$SAFEHUB_BIN" sla run --as-of "$as_of" >"$dir/sla-$1.out" 2>"$dir/sla-$1.err" && return 0
  bench_note "frontdoor: safehub sla run failed:"
  cat "$dir/sla-$1.err" >&2
  return 1
}
query() {
  "$QUERY" "$db" "$sql" "$as_of_s" "$2" >"$dir/query-$1.out" 2>"$dir/query.err" && return 0
  bench_note "frontdoor: the plain query could not run:"
  cat "$dir/query.err" >&2
  return 1
}
sla_secs() { sed -n 's/.*evaluated in \([0-9.]*\) s.*/\1/p' "$dir/sla-$1.out"; }
sla_over() { sed -n 's/.*: \([0-9]*\) overdue.*/\1/p' "$dir/sla-$1.out"; }
sla_steps() { sed -n 's/.*overdue, \([0-9]*\) new escalation steps.*/\1/p' "$dir/sla-$1.out"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.4f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The first run escalates; then read-only runs and the plain query take turns, each in a fresh process.
eval_ok=0
if sla 1; then
  eval_ok=1
  i=2
  while [ $i -le $((BENCH_FD_REPEAT + 1)) ] && [ $eval_ok = 1 ]; do
    sla $i || eval_ok=0
    [ $eval_ok = 1 ] && { query $i 1 || eval_ok=0; }
    i=$((i + 1))
  done
  [ $eval_ok = 1 ] && { query best 3 || eval_ok=0; }
fi
if [ $eval_ok = 1 ]; then
  E1=$(sla_secs 1) E2=$(sla_secs 2)
  i=2 steps_after=0
  : >"$dir/ro.times"
  : >"$dir/q.times"
  while [ $i -le $((BENCH_FD_REPEAT + 1)) ]; do
    sla_secs $i >>"$dir/ro.times"
    awk '{ print $2 }' "$dir/query-$i.out" >>"$dir/q.times"
    steps_after=$((steps_after + $(sla_steps $i)))
    i=$((i + 1))
  done
  E_MED=$(median <"$dir/ro.times")
  Q_MED=$(median <"$dir/q.times")
  # shellcheck disable=SC2046 # the fields are meant to split
  set -- $(cat "$dir/query-best.out")
  Q_ROWS=$1 Q_BEST=$3
  notes=$(sqlite3 "$db" "SELECT COUNT(*) FROM notifications WHERE kind = 'escalation'")
  levels=$(sqlite3 "$db" "SELECT group_concat(n, ' / ') FROM (SELECT COUNT(*) AS n FROM escalations GROUP BY level ORDER BY level)")
  printf '   %-46s %8s s   %s overdue, %s new escalation steps written (with their notifications and audit entries)\n' \
    "first run (escalates: writes)" "$E1" "$(n_fmt "$(sla_over 1)")" "$(n_fmt "$(sla_steps 1)")"
  printf '   %-46s %8s s   %s overdue, %s new escalation steps (reads only)\n' \
    "second run (nothing new: reads only)" "$E2" "$(n_fmt "$(sla_over 2)")" "$(n_fmt "$(sla_steps 2)")"
  printf '   %-46s %8s s   (%s)\n' "read-only runs, median of $BENCH_FD_REPEAT" "$E_MED" "$(tr '\n' ' ' <"$dir/ro.times" | sed 's/ $//')"
  [ "$steps_after" = 0 ] || echo "     ($steps_after more escalation steps were written by the later runs: items fell due meanwhile)"
  echo "   escalation steps by level (1 / 2 / 3...): $levels; escalation notifications: $(n_fmt "$notes")"
  printf '   %-46s %8s s   (%s; %s rows; best of 3 on one connection: %s s)\n' \
    "plain SQL, the same query, median of $BENCH_FD_REPEAT" "$Q_MED" "$(tr '\n' ' ' <"$dir/q.times" | sed 's/ $//')" \
    "$(n_fmt "$Q_ROWS")" "$Q_BEST"
  echo "     ($sql, \$1 = $as_of_s;"
  echo "      bench/frontdoor-query.c, a fresh process each time like the command, reads every column of every row)"
  echo "   ratio, read-only evaluation / plain query: $(ratio_of "$E_MED" "$Q_MED")   (medians; target: within 2x)"
  echo "   ratio, first run / plain query:            $(ratio_of "$E1" "$Q_MED")   (the first run also writes every escalation)"
  load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
  if awk -v l="${load:-0}" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
    echo "   (load average $load on $(nproc) cores just after: other work was competing, the times are disturbed)"
  else
    echo "   (load average ${load:-?} on $(nproc) cores just after)"
  fi
else
  status=1
fi

# ---------------------------------------------------------------- 2. the MASH queue page
echo
echo "2. the MASH queue page: GET /referrals (first page), MASH worker's session cookie, $(n_fmt "$open_refs") open referrals"
q_ok=0
if bench_serve "$dir/serve.log"; then
  pid=$SERVER_PID url=$SERVER_URL
  # shellcheck disable=SC2034 # read by bench_wrk (lib.sh)
  BENCH_SERVER_PID=$pid
  pw=$(awk '$1 == "mash" { print $2 }' "$db.logins.txt")
  code=$(curl -s -o "$dir/session.json" -D "$dir/session.hdr" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"mash\",\"password\":\"$pw\"}" "$url/api/v1/session")
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' "$dir/session.hdr" | tr -d '\r' | head -n 1)
  if [ "$code" != 200 ] || [ -z "$cookie" ] || grep -q '"second_factor":"' "$dir/session.json"; then
    bench_note "frontdoor: signing in as mash (POST $url/api/v1/session) answered $code:"
    cat "$dir/session.json" >&2
  else
    code=$(curl -s -o "$dir/queue.html" -w '%{http_code} %{time_total}' -H "Cookie: $cookie" "$url/referrals")
    caption=$(sed -n 's/.*govuk-table__caption--m">\([0-9]* referrals*, [a-z ]*\)<.*/\1/p' "$dir/queue.html" | head -n 1)
    rows=$(grep -o '<tr class="govuk-table__row' "$dir/queue.html" | wc -l | tr -d ' ')
    size=$(wc -c <"$dir/queue.html" | tr -d ' ')
    if [ "${code%% *}" != 200 ] || ! grep -q 'data-testid="referral-queue"' "$dir/queue.html"; then
      bench_note "frontdoor: GET $url/referrals answered ${code%% *} (${code#* } s) without the queue:"
      head -c 600 "$dir/queue.html" >&2
      echo >&2
    else
      q_ok=1
      echo "   the page: ${caption:-?}; $rows table rows (header included), $(n_fmt "$size") bytes; first request ${code#* } s"
      printf '   %-26s %11s %8s %8s %8s %7s %11s\n' "load" "requests/s" "p50 ms" "p95 ms" "p99 ms" "errors" "CPU ms/req"
      export BENCH_FD_COOKIE="$cookie"
      for c in 1 "$BENCH_FD_CONNECTIONS"; do
        label="one user at a time (-c1)"
        [ "$c" = 1 ] || label="$c at once (-c$c)"
        if bench_wrk "$dir/wrk-$c.out" "$url" "$BENCH_DIR/frontdoor-queue.lua" "$c" "$BENCH_WRK_THREADS"; then
          # shellcheck disable=SC2046 # the fields are meant to split
          set -- $(bench_wrk_fields "$dir/wrk-$c.out")
          p95=$(awk '$1 == "bench-percentile" && $2 == 95 { printf "%.2f", $3 / 1000 }' "$dir/wrk-$c.out")
          cpu=$(bench_cpu_fields "$dir/wrk-$c.out" | awk '{ printf "%.1f", $5 / 1000 }')
          printf '   %-26s %11s %8s %8s %8s %7s %11s\n' "$label" "$(n_fmt "$1")" "$2" "${p95:--}" "$3" "$4" "$cpu"
          other=$(bench_cpu_fields "$dir/wrk-$c.out" | awk '{ print $3 }')
          awk -v o="$other" 'BEGIN { exit !(o >= 0.25) }' &&
            echo "     (other processes took $other cores during this run: the figures are disturbed)"
        else
          q_ok=0
        fi
      done
      echo "   wrk -t$BENCH_WRK_THREADS, ${BENCH_WARMUP} s warm-up then ${BENCH_DURATION} s each; server thread pool $BENCH_THREADS; every request audited (referral.list)"
    fi
  fi
  bench_stop "$pid"
fi
[ $q_ok = 1 ] || {
  bench_note "frontdoor: the MASH queue benchmark could not run"
  status=1
}

exit $status
