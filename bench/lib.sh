# bench/lib.sh: helpers shared by the benchmark sections (bench/section-*.sh).
# POSIX sh; a section sources it with
#
#   . "$BENCH_DIR/lib.sh"
#
# and gets: a private temporary folder ($BENCH_TMP, removed at exit), a
# Safehub installation per database (bench_install), the server started on a
# free loopback port and stopped again (bench_serve / bench_stop), a throwaway
# PostgreSQL cluster (bench_pg_start / bench_pg_stop), wrk runs with their
# figures parsed (bench_wrk), and peak memory (bench_vmhwm).  Every process
# started here is remembered by its id and ended at exit, so an interrupted
# run leaves nothing behind.
#
# Settings (environment), with defaults:
#   BENCH_BUILD        build folder holding safehub (build)
#   SAFEHUB_BIN        the binary ($BENCH_BUILD/safehub)
#   BENCH_THREADS      server thread pool size (4, Safehub's default)
#   BENCH_CONNECTIONS  wrk connections (64)
#   BENCH_WRK_THREADS  wrk threads (2)
#   BENCH_WARMUP       seconds of warm-up before each measurement (5)
#   BENCH_DURATION     seconds measured (15)

set -u

BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)}
REPO=${REPO:-$(cd "$BENCH_DIR/.." && pwd)}
BENCH_BUILD=${BENCH_BUILD:-build}
case $BENCH_BUILD in /*) ;; *) BENCH_BUILD=$REPO/$BENCH_BUILD ;; esac
SAFEHUB_BIN=${SAFEHUB_BIN:-$BENCH_BUILD/safehub}
BENCH_THREADS=${BENCH_THREADS:-4}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
BENCH_WRK_THREADS=${BENCH_WRK_THREADS:-2}
BENCH_WARMUP=${BENCH_WARMUP:-5}
BENCH_DURATION=${BENCH_DURATION:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# Settings reach Safehub only through what these helpers set.
for _v in $(env | sed -n 's/^\(SAFEHUB_[A-Z_]*\)=.*/\1/p'); do
  case $_v in SAFEHUB_BIN) ;; *) unset "$_v" ;; esac
done
export SAFEHUB_ASSETS_DIR="$REPO/build/assets"

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/safehub-bench.XXXXXX") || exit 1
_bench_pids=""
_bench_pg_data=""
_bench_pg_dir=""

# Prints a message on stderr.
bench_note() { printf '%s\n' "$*" >&2; }

# Prints "bench: WHY" on stderr and exits 1 (something could not run at all).
bench_die() {
  printf 'bench: %s\n' "$*" >&2
  exit 1
}

# Runs a command as the postgres user when we are root (initdb refuses root).
_bench_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_bench_cleanup() {
  for _p in $_bench_pids; do
    kill -TERM "$_p" 2>/dev/null
  done
  for _p in $_bench_pids; do
    _i=0
    while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
      sleep 0.1
      _i=$((_i + 1))
    done
    kill -KILL "$_p" 2>/dev/null
  done
  _bench_pids=""
  bench_pg_stop
  rm -rf "$BENCH_TMP"
}
trap _bench_cleanup EXIT
trap 'exit 130' INT TERM

# Seconds since the epoch with fractions (for timing steps).
bench_now() { date +%s.%N; }

# Prints B - A in seconds with one decimal.
bench_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Forgets PID in the list of processes to end at exit.
_bench_forget() {
  _new=""
  for _p in $_bench_pids; do [ "$_p" = "$1" ] || _new="$_new $_p"; done
  _bench_pids=$_new
}

# bench_install NAME DSN: sets the SAFEHUB_* variables of an installation in
# $BENCH_TMP/NAME using database DSN (an SQLite path when not a URL) and runs
# 'safehub init'.  The variables stay exported for the commands that follow.
bench_install() {
  _dir=$BENCH_TMP/$1
  mkdir -p "$_dir"
  export SAFEHUB_DB="$2"
  export SAFEHUB_AUDIT_KEY_FILE="$_dir/audit.key"
  export SAFEHUB_AUDIT_CHECKPOINT_FILE="$_dir/audit-checkpoints.log"
  export SAFEHUB_ACCESS_LOG="$_dir/access.log"
  export SAFEHUB_THREADS="$BENCH_THREADS"
  "$SAFEHUB_BIN" init >"$_dir/init.out" 2>&1 || {
    cat "$_dir/init.out" >&2
    return 1
  }
}

# bench_serve LOG: starts 'safehub serve' on a free loopback port with the
# current SAFEHUB_* settings, stderr to LOG.  Sets SERVER_PID and SERVER_URL.
# Returns 1 (having shown the log) when it does not start within 60 s.
bench_serve() {
  _log=$1
  "$SAFEHUB_BIN" serve --listen 127.0.0.1:0 2>"$_log" >/dev/null &
  SERVER_PID=$!
  _bench_pids="$_bench_pids $SERVER_PID"
  _bench_wait_listening "$_log" || return 1
}

# bench_serve_cmd LOG CMD...: starts another server CMD that prints
# "listening on http://HOST:PORT" on stdout or stderr.  Sets SERVER_PID and SERVER_URL.
bench_serve_cmd() {
  _log=$1
  shift
  "$@" >"$_log" 2>&1 &
  SERVER_PID=$!
  _bench_pids="$_bench_pids $SERVER_PID"
  _bench_wait_listening "$_log" || return 1
}

_bench_wait_listening() {
  _i=0
  while [ $_i -lt 600 ]; do
    SERVER_URL=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$1" 2>/dev/null | head -n 1 | sed 's/^listening on //')
    [ -n "$SERVER_URL" ] && return 0
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      bench_note "bench: the server exited at start-up:"
      cat "$1" >&2
      _bench_forget "$SERVER_PID"
      return 1
    fi
    sleep 0.1
    _i=$((_i + 1))
  done
  bench_note "bench: the server did not report its port within 60 s:"
  cat "$1" >&2
  return 1
}

# bench_stop PID: asks the server to stop (SIGTERM) and waits up to 40 s.
bench_stop() {
  kill -TERM "$1" 2>/dev/null
  _i=0
  while kill -0 "$1" 2>/dev/null && [ $_i -lt 400 ]; do
    sleep 0.1
    _i=$((_i + 1))
  done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  _bench_forget "$1"
}

# bench_vmhwm PID: the process's peak resident memory in MiB (one decimal).
bench_vmhwm() {
  awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

# bench_metric URL NAME: the value of metric NAME on URL/metrics (0 if absent).
bench_metric() {
  curl -s --max-time 5 "$1/metrics" | awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }'
}

# bench_wrk OUT URL SCRIPT [CONNECTIONS [THREADS [DURATION]]]: one warm-up
# run then one measured run of wrk --latency with Lua SCRIPT (may be "-" for
# none); the measured output goes to OUT, and where the machine's CPU went
# during it to OUT.cpu (see bench_cpu_fields): the server's share is counted
# when BENCH_SERVER_PID names it, the PostgreSQL cluster's while one runs.
# Returns 1 when wrk failed.
bench_wrk() {
  _out=$1 _url=$2 _script=$3
  _c=${4:-$BENCH_CONNECTIONS} _t=${5:-$BENCH_WRK_THREADS} _d=${6:-$BENCH_DURATION}
  [ "$_t" -le "$_c" ] || _t=$_c
  set -- -t"$_t" -c"$_c" --timeout 10s
  [ "$_script" = "-" ] || set -- "$@" -s "$_script"
  if [ "$BENCH_WARMUP" -gt 0 ]; then
    timeout $((BENCH_WARMUP + 30)) wrk "$@" -d"${BENCH_WARMUP}s" "$_url" >"$_out.warmup" 2>&1 || {
      cat "$_out.warmup" >&2
      return 1
    }
  fi
  _srv0=$(_bench_proc_ticks "${BENCH_SERVER_PID:-}")
  _pg0=$(_bench_pg_ticks)
  _kt0=$(_bench_kthread_ticks)
  _sys0=$(_bench_sys_ticks)
  _t0=$(bench_now)
  times >"$_out.times0"
  timeout $((_d + 30)) wrk "$@" -d"${_d}s" --latency "$_url" >"$_out" 2>&1 || {
    cat "$_out" >&2
    return 1
  }
  times >"$_out.times1"
  _t1=$(bench_now)
  _sys1=$(_bench_sys_ticks)
  _srv1=$(_bench_proc_ticks "${BENCH_SERVER_PID:-}")
  _pg1=$(_bench_pg_ticks)
  _kt1=$(_bench_kthread_ticks)
  _n=$(awk '/requests in/ { print $1 }' "$_out")
  awk -v t0="$_t0" -v t1="$_t1" -v s0="$_srv0" -v s1="$_srv1" -v y0="$_sys0" -v y1="$_sys1" -v n="${_n:-0}" -v p0="$_pg0" -v p1="$_pg1" -v k0="$_kt0" -v k1="$_kt1" \
    -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" -v f0="$_out.times0" -v f1="$_out.times1" '
    function kids(f,   line, a, b, x, y) {
      getline line < f; getline line < f
      split(line, a, " "); split(a[1], x, "m"); split(a[2], y, "m")
      return x[1] * 60 + x[2] + y[1] * 60 + y[2]
    }
    BEGIN {
      wall = t1 - t0; if (wall <= 0) wall = 1
      split(y0, a, " "); split(y1, b, " ")
      srv = (s1 - s0) / hz; wrk = kids(f1) - kids(f0); pg = (p1 - p0) / hz
      busy = (b[1] - a[1]) / hz; steal = (b[2] - a[2]) / hz; irq = (b[3] - a[3]) / hz
      kt = (k1 - k0) / hz
      other = busy - srv - wrk - pg - kt; if (other < 0) other = 0
      per = 0; pgper = 0; if (n > 0) { per = srv * 1e6 / n; pgper = pg * 1e6 / n }
      printf "%.2f %.2f %.2f %.2f %.1f %.2f %.1f %.2f %.2f\n", srv / wall, wrk / wall, other / wall, steal / wall, per, pg / wall, pgper, irq / wall, kt / wall
    }' >"$_out.cpu"
  rm -f "$_out.times0" "$_out.times1"
}

# CPU ticks used so far by process PID (0 when there is none).
_bench_proc_ticks() {
  if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then
    awk '{ print $14 + $15 }' "/proc/$1/stat"
  else
    echo 0
  fi
}

# CPU ticks used so far by the PostgreSQL cluster (the postmaster, its live
# children, and the children it has already reaped); 0 when none runs.
_bench_pg_ticks() {
  _pm=""
  [ -n "$_bench_pg_data" ] && _pm=$(head -n 1 "$_bench_pg_data/postmaster.pid" 2>/dev/null)
  if [ -z "$_pm" ] || [ ! -r "/proc/$_pm/stat" ]; then
    echo 0
    return
  fi
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$_pm" '
    { sub(/\(.*\)/, "x") }
    $1 == pm { t += $14 + $15 + $16 + $17 }
    $1 != pm && $4 == pm { t += $14 + $15 }
    END { print t + 0 }'
}

# CPU ticks used so far by kernel threads (disk writeback and I/O completion,
# which no process is charged for).
_bench_kthread_ticks() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk '{ sub(/\(.*\)/, "x") } $1 == 2 || $4 == 2 { t += $14 + $15 } END { print t + 0 }'
}

# "PROCESSES STEAL INTERRUPTS" CPU ticks of the whole machine so far: time in
# processes (user, nice, system), stolen by the hypervisor, and in interrupt
# handlers (mostly the loopback network, which no process is charged for).
_bench_sys_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4, $9, $7 + $8 }' /proc/stat; }

# bench_cpu_fields OUT: prints "SERVER WRK OTHER STEAL SERVER_US DB DB_US IRQ
# KTHREADS" for the run written to OUT: cores used by the server, by wrk, by
# every other process, stolen by the hypervisor, the server's CPU microseconds
# per request, the same two for the PostgreSQL cluster (0 with SQLite), cores
# spent in interrupt handlers (the loopback network) and in kernel threads
# (disk writeback).
bench_cpu_fields() { cat "$1.cpu" 2>/dev/null || echo "0 0 0 0 0 0 0 0 0"; }

# Converts a wrk duration (123.45us, 9.87ms, 1.02s, 2.00m) to milliseconds.
_bench_ms() {
  printf '%s\n' "$1" | awk '{
    v = $1 + 0
    if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v = v; else if ($1 ~ /m$/) v *= 60000; else if ($1 ~ /s$/) v *= 1000
    printf "%.2f", v }'
}

# bench_wrk_fields OUT: prints "RPS P50_MS P99_MS ERRORS REQUESTS" from wrk's output
# (errors: non-2xx/3xx responses plus socket errors and timeouts).
bench_wrk_fields() {
  _rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1")
  _p50=$(awk '$1 == "50%" { print $2 }' "$1")
  _p99=$(awk '$1 == "99%" { print $2 }' "$1")
  _n=$(awk '/requests in/ { print $1 }' "$1")
  _err=$(awk '/Non-2xx or 3xx responses:/ { e += $NF }
              /Socket errors:/ { for (i = 3; i <= NF; i += 2) e += $(i + 1) + 0 }
              END { print e + 0 }' "$1")
  printf '%s %s %s %s %s\n' "${_rps:-0}" "$(_bench_ms "${_p50:-0us}")" "$(_bench_ms "${_p99:-0us}")" "$_err" "${_n:-0}"
}

# bench_pg_start: starts a throwaway PostgreSQL 15 cluster on 127.0.0.1 at a
# free port (durable settings: fsync and synchronous_commit stay on, as in
# production).  Sets PG_URL (database "postgres", user "postgres").  Returns 1
# when it cannot.
bench_pg_start() {
  [ -x "$PG_BIN/initdb" ] || {
    bench_note "bench: no PostgreSQL server programs in $PG_BIN"
    return 1
  }
  _bench_pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/safehub-bench-pg.XXXXXX") || return 1
  chmod 755 "$_bench_pg_dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$_bench_pg_dir"
  _bench_pg_data=$_bench_pg_dir/data
  _bench_as_pg "$PG_BIN/initdb" -D "$_bench_pg_data" --no-locale -E UTF8 -A trust -U postgres \
    >"$_bench_pg_dir/initdb.log" 2>&1 || {
    cat "$_bench_pg_dir/initdb.log" >&2
    _bench_pg_data=""
    return 1
  }
  _try=0
  while [ $_try -lt 5 ]; do
    _port=$(awk -v s="$$" -v t="$_try" 'BEGIN { srand(); printf "%d", 20000 + (int(rand() * 40000) + s * 7 + t * 997) % 40000 }')
    if _bench_as_pg "$PG_BIN/pg_ctl" -D "$_bench_pg_data" -l "$_bench_pg_dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$_port -c unix_socket_directories=$_bench_pg_dir -c max_connections=200" \
      start >/dev/null 2>&1; then
      PG_URL="postgresql://postgres@127.0.0.1:$_port/postgres"
      PG_PORT=$_port
      return 0
    fi
    _try=$((_try + 1))
  done
  bench_note "bench: PostgreSQL did not start:"
  tail -n 20 "$_bench_pg_dir/server.log" >&2
  return 1
}

# bench_pg_createdb NAME: makes database NAME; prints its DSN.
bench_pg_createdb() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -c "CREATE DATABASE $1" >/dev/null || return 1
  printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$PG_PORT" "$1"
}

# bench_pg_stop: stops the cluster (if started) and removes its folder.
bench_pg_stop() {
  if [ -n "$_bench_pg_data" ]; then
    _bench_as_pg "$PG_BIN/pg_ctl" -D "$_bench_pg_data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
      _bench_as_pg "$PG_BIN/pg_ctl" -D "$_bench_pg_data" -m immediate -w stop >/dev/null 2>&1
    _bench_pg_data=""
  fi
  if [ -n "$_bench_pg_dir" ]; then
    rm -rf "$_bench_pg_dir"
    _bench_pg_dir=""
  fi
}

# bench_cc OUT SRC PKGS...: compiles a helper program with Safehub's warnings.
bench_cc() {
  _out=$1 _src=$2
  shift 2
  mkdir -p "$(dirname "$_out")"
  [ -n "$(find "$_out" -newer "$_src" 2>/dev/null)" ] && return 0
  # shellcheck disable=SC2046
  ${CC:-cc} -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wpedantic -Wshadow -Wformat=2 \
    -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wcast-qual -Wvla \
    $(pkg-config --cflags "$@") -o "$_out" "$_src" $(pkg-config --libs "$@") -lpthread
}
