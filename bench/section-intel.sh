#!/bin/sh
# bench/section-intel.sh: the intelligence, network and problem-profile benchmark (run by bench/run).
#
# The workload: a demo borough of BENCH_INTEL_CHILDREN (100,000) children on SQLite (safehub demo, which
# records a little intelligence of its own), topped up by bench/intel-data.sql to BENCH_INTEL_ENTITIES
# (20,000) people, vehicles, phones, places and online accounts and about BENCH_INTEL_LINKS (60,000)
# links in graded items of intelligence: a partnership-wide picture of many groups of 5 to 40 records,
# each joined within itself, a few links between groups, and links to children of the borough (those at
# medium or high risk first), with the involvement and chronology entries that recording makes.
#
# Then, one after another after one warm-up, BENCH_INTEL_REQUESTS (7) requests of each of:
#   GET /api/v1/network/clusters                  as the analyst (the groups of the whole network)
#   GET /api/v1/network?around=ID&depth=3         as the analyst, ID the person with the most others
#                                                 directly linked to them
#   GET /api/v1/reports/problem-profile           as the strategic lead (the default period: 12 months)
# with bearer tokens: median, fastest and slowest of each, the sizes of the networks answered, the number
# of groups, and the server's peak memory.  No targets: the figures are printed as they are.
#
# Prints figures; never fails because the machine is slow.  Exits non-zero only when something could not
# run at all.
#
# Settings (environment), besides those in bench/lib.sh:
#   BENCH_INTEL_CHILDREN  children of the demo borough (100000)
#   BENCH_INTEL_ENTITIES  people, vehicles, phones, places and online accounts in all (20000)
#   BENCH_INTEL_LINKS     links in items of intelligence in all, about (60000)
#   BENCH_INTEL_REQUESTS  timed requests of each kind (7)
#   BENCH_SEED            seed of the synthetic borough (1)
set -u
BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)}
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

BENCH_INTEL_CHILDREN=${BENCH_INTEL_CHILDREN:-100000}
BENCH_INTEL_ENTITIES=${BENCH_INTEL_ENTITIES:-20000}
BENCH_INTEL_LINKS=${BENCH_INTEL_LINKS:-60000}
BENCH_INTEL_REQUESTS=${BENCH_INTEL_REQUESTS:-7}
BENCH_SEED=${BENCH_SEED:-1}
[ "$BENCH_INTEL_REQUESTS" -ge 1 ] 2>/dev/null || BENCH_INTEL_REQUESTS=1
for v in BENCH_INTEL_CHILDREN BENCH_INTEL_ENTITIES BENCH_INTEL_LINKS; do
  val=
  eval "val=\$$v"
  [ "$val" -ge 0 ] 2>/dev/null || bench_die "intel: $v must be a whole number (not '$val')"
done

for tool in curl sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || bench_die "intel: '$tool' is needed (Debian package ${tool})"
done

# Thousands separators for counts.
n_fmt() { printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
# median / min / max of the numbers on standard input, one a line: "MEDIAN MIN MAX".
stats() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "0 0 0"; exit }
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'; }
# The first whole number after "KEY": in FILE (a JSON answer), or "?".
jnum() { v=$(grep -o "\"$1\":[0-9]*" "$2" | head -n 1 | sed 's/.*://'); printf '%s\n' "${v:-?}"; }
# How many times STRING occurs in FILE.
count_of() { grep -o "$1" "$2" | wc -l | tr -d ' '; }

dir=$BENCH_TMP/intel
db=$dir/safehub.db
bench_install intel "$db" || bench_die "intel: safehub init failed"

# ---------------------------------------------------------------- the workload
t0=$(bench_now)
"$SAFEHUB_BIN" demo --children "$BENCH_INTEL_CHILDREN" --seed "$BENCH_SEED" >"$dir/demo.out" 2>&1 || {
  tail -n 20 "$dir/demo.out" >&2
  bench_die "intel: safehub demo failed"
}
t1=$(bench_now)
kids=$(sqlite3 "$db" "SELECT COUNT(*) FROM children WHERE merged_into IS NULL") || bench_die "intel: cannot read the demo's children"
[ "${kids:-0}" -gt 0 ] || bench_die "intel: the demo borough has no children to link"
{
  echo "CREATE TEMP TABLE bench (now INTEGER, entities INTEGER, links INTEGER);"
  echo "INSERT INTO bench VALUES ($(date +%s), $BENCH_INTEL_ENTITIES, $BENCH_INTEL_LINKS);"
  echo "BEGIN;"
  cat "$BENCH_DIR/intel-data.sql"
  echo "COMMIT;"
  echo ".separator ' '"
  echo "SELECT COUNT(*), COALESCE(MIN(size + nkids), 0), COALESCE(MAX(size + nkids), 0), COALESCE(ROUND(AVG(size + nkids), 1), 0) FROM bench_grp;"
} | sqlite3 -bail "$db" >"$dir/data.out" 2>&1 || {
  cat "$dir/data.out" >&2
  bench_die "intel: bench/intel-data.sql failed"
}
t2=$(bench_now)
# shellcheck disable=SC2046 # the fields are meant to split
set -- $(tail -n 1 "$dir/data.out")
G_N=${1:-0} G_MIN=${2:-0} G_MAX=${3:-0} G_AVG=${4:-0}

# shellcheck disable=SC2046 # the fields are meant to split
set -- $(sqlite3 -separator ' ' "$db" "SELECT COUNT(*), SUM(type = 'person'), SUM(type = 'vehicle'), SUM(type = 'phone'),
  SUM(type = 'location'), SUM(type = 'online_account'), (SELECT COUNT(*) FROM intelligence), (SELECT COUNT(*) FROM intel_links),
  (SELECT COUNT(DISTINCT id) FROM (SELECT from_id AS id FROM intel_links UNION ALL SELECT to_id FROM intel_links)
   WHERE substr(id, 1, 3) = 'ch_')
  FROM entities")
[ "${8:-0}" -gt 0 ] || bench_die "intel: no links were recorded"
echo "workload: demo borough of $(n_fmt "$BENCH_INTEL_CHILDREN") children loaded in $(bench_elapsed "$t0" "$t1") s;"\
  "intelligence added in $(bench_elapsed "$t1" "$t2") s (bench/intel-data.sql)"
echo "  $(n_fmt "$1") entities: $(n_fmt "$2") people, $(n_fmt "$3") vehicles, $(n_fmt "$4") phones, $(n_fmt "$5") places,"\
  "$(n_fmt "$6") online accounts"
echo "  $(n_fmt "$7") items of intelligence holding $(n_fmt "$8") links; $(n_fmt "$9") children linked"
echo "  groups built: $(n_fmt "$G_N") of $G_MIN to $G_MAX records (mean $G_AVG), besides the demo's own"

# The person with the most others directly linked to them.
# shellcheck disable=SC2046 # the fields are meant to split
set -- $(sqlite3 -separator ' ' "$db" "SELECT p.id, COUNT(*) FROM entities p
  JOIN (SELECT from_id AS a, to_id AS b FROM intel_links UNION SELECT to_id, from_id FROM intel_links) l ON l.a = p.id
  WHERE p.type = 'person' GROUP BY p.id ORDER BY COUNT(*) DESC, p.id LIMIT 1")
hub=${1:-} hub_degree=${2:-0}
[ -n "$hub" ] || bench_die "intel: no person is linked to anyone"

# ---------------------------------------------------------------- the requests
tok_analyst=$("$SAFEHUB_BIN" token create --username analyst 2>"$dir/token.err") || {
  cat "$dir/token.err" >&2
  bench_die "intel: safehub token create failed (analyst)"
}
tok_strategic=$("$SAFEHUB_BIN" token create --username strategic 2>"$dir/token.err") || {
  cat "$dir/token.err" >&2
  bench_die "intel: safehub token create failed (strategic)"
}
bench_serve "$dir/serve.log" || bench_die "intel: the server did not start"
pid=$SERVER_PID url=$SERVER_URL

# timed NAME PATH TOKEN: one warm-up then BENCH_INTEL_REQUESTS requests of PATH; the times go to
# $dir/NAME.times and the last answer to $dir/NAME.json.  Returns 1 (having said why) unless all were 200.
timed() {
  : >"$dir/$1.times"
  _i=0
  while [ $_i -le "$BENCH_INTEL_REQUESTS" ]; do
    _res=$(curl -s -o "$dir/$1.json" -w '%{http_code} %{time_total}' --max-time 600 \
      -H "Authorization: Bearer $3" "$url$2")
    if [ "${_res%% *}" != 200 ]; then
      bench_note "intel: GET $url$2 answered ${_res%% *} after ${_res#* } s:"
      head -c 600 "$dir/$1.json" >&2
      echo >&2
      return 1
    fi
    [ $_i -gt 0 ] && echo "${_res#* }" >>"$dir/$1.times"
    _i=$((_i + 1))
  done
}
# line LABEL NAME: the figures of timed NAME.
line() {
  # shellcheck disable=SC2046 # the fields are meant to split
  set -- "$1" $(stats <"$dir/$2.times") "$(wc -c <"$dir/$2.json" | tr -d ' ')"
  printf '   %-50s median %7s s   (fastest %s s, slowest %s s; %s bytes)\n' "$1" "$2" "$3" "$4" "$(n_fmt "$5")"
}

echo
echo "$BENCH_INTEL_REQUESTS requests of each, one after another after one warm-up (bearer tokens):"
ok=1
timed clusters "/api/v1/network/clusters" "$tok_analyst" || ok=0
[ $ok = 1 ] && { timed around "/api/v1/network?around=$hub&depth=3" "$tok_analyst" || ok=0; }
[ $ok = 1 ] && { timed profile "/api/v1/reports/problem-profile" "$tok_strategic" || ok=0; }
hwm=$(bench_vmhwm "$pid")
bench_stop "$pid"
[ $ok = 1 ] || bench_die "intel: the requests could not be measured"

line "GET /api/v1/network/clusters (analyst)" clusters
echo "     whole network: $(n_fmt "$(jnum nodes "$dir/clusters.json")") nodes, $(n_fmt "$(jnum edges "$dir/clusters.json")") edges;"\
  "$(n_fmt "$(count_of '"id":"C[0-9]*"' "$dir/clusters.json")") groups of $(jnum min_size "$dir/clusters.json") or more"\
  "(the largest $(jnum size "$dir/clusters.json"))"
line "GET /api/v1/network?around=ID&depth=3 (analyst)" around
trunc=no
grep -q '"truncated":true' "$dir/around.json" && trunc="yes (at most 300 nodes are answered)"
echo "     around a person directly linked to $hub_degree others: $(count_of '"community":' "$dir/around.json") nodes,"\
  "$(count_of '"weight":' "$dir/around.json") edges; truncated: $trunc"
line "GET /api/v1/reports/problem-profile (strategic)" profile
echo "     period $(grep -o '"from":"[0-9-]*"' "$dir/profile.json" | head -n 1 | cut -d'"' -f4) to"\
  "$(grep -o '"to":"[0-9-]*"' "$dir/profile.json" | head -n 1 | cut -d'"' -f4);"\
  "people named in intelligence $(n_fmt "$(jnum people_recorded "$dir/profile.json")");"\
  "network groups $(n_fmt "$(jnum groups "$dir/profile.json")") (the largest $(jnum largest "$dir/profile.json"))"
echo "   server peak memory (VmHWM): ${hwm:-?} MiB"
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
if awk -v l="${load:-0}" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
  echo "   (load average $load on $(nproc) cores just after: other work was competing, the times are disturbed)"
else
  echo "   (load average ${load:-?} on $(nproc) cores just after)"
fi
exit 0
