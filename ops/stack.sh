#!/usr/bin/env bash
# ops/stack.sh — start and stop one complete local yichuang stack (MariaDB, Redis, the FastCGI
# app and its worker, nginx), all on 127.0.0.1, everything under var/NAME/.
#
#   ops/stack.sh up          NAME   start what is not running yet (safe to repeat)
#   ops/stack.sh down        NAME   stop what this instance started (its pid files); keep data
#   ops/stack.sh status      NAME   show what runs; exit 0 only if everything does
#   ops/stack.sh wipe        NAME   down, then delete var/NAME
#   ops/stack.sh restart-app NAME   restart only app + worker (after a rebuild)
#   ops/stack.sh {redis,mysql,app}-{stop,start} NAME   one service (fault tests)
#
# `make run` uses NAME=run, `make test` NAME=test; both can run side by side.
# Ports (env): YICHUANG_PORT, YICHUANG_REDIS_PORT, YICHUANG_MYSQL_PORT
#   run: 8080/16379/13306   test: 18080/16380/13307   any other NAME: all three required.
#   YICHUANG_METRICS_PORT: the app's GET /metrics on 127.0.0.1 (default YICHUANG_PORT + 1000;
#   0 turns it off).
# Other env: YICHUANG_NOW (RFC 3339 hall clock; "test" defaults to 2026-11-23T09:30:00+08:00),
#   YICHUANG_APP_PROCESSES (2), YICHUANG_APP_THREADS (32), YICHUANG_APP_BOARD_THREADS (64:
#   the threads for the board's long polls), YICHUANG_SMS_PROVIDER (log),
#   YICHUANG_SMS_BASE_URL, YICHUANG_WECHAT_BASE_URL, YICHUANG_SIGNIN_RATE / _BURST (run
#   10r/m burst 5, test 600r/m burst 50), YICHUANG_TRACK_RATE / _BURST (run 120r/m burst 60,
#   others 1200r/m burst 100), YICHUANG_RECEIPT_RATE / _BURST (the SMS providers' delivery
#   receipts per client address: 600r/m burst 100), YICHUANG_SMS_CODE_ADDRESS_DAY,
#   YICHUANG_SMS_CODE_HALL_DAY, YICHUANG_SMS_CODE_INSTANCE_DAY (daily budgets of login codes;
#   unset: the app's defaults 50, 2000, 5000), YICHUANG_BOARD_POLLS (16: board long polls
#   held at once per client address), YICHUANG_APP_TIMEOUT (35: seconds nginx waits for the app's answer
#   before 504), YICHUANG_CONF_EXTRA (lines appended to yichuang.conf),
#   YICHUANG_BUILD (binaries' folder, default build/; `make asan` uses build-asan),
#   YICHUANG_SQL_DIR (default sql/; lets this script be tried on scratch migrations).
# The schema changes one way only, here as on an installed hall: `yichuang-admin migrate`
# (fcgi/migrate.h), as the database superuser over the unix socket.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"   # yichuang.conf names the templates and migrations by absolute path; nginx/site, sql/data are found from here

# The mariadb client honours these before its command line; only our own flags may count.
unset MYSQL_HOST MYSQL_TCP_PORT MYSQL_UNIX_PORT MYSQL_PWD

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -eq 2 ] || usage
CMD=$1 NAME=$2
[[ "$NAME" =~ ^[a-z0-9][a-z0-9_-]{0,30}$ ]] || { echo "stack: bad instance name '$NAME'" >&2; exit 2; }

say()  { printf '[%s] %s\n' "$NAME" "$*"; }
warn() { printf '[%s] warning: %s\n' "$NAME" "$*" >&2; }
die()  { printf '[%s] error: %s\n' "$NAME" "$*" >&2; exit 1; }
tail_log() {
  if [ -f "$1" ]; then echo "--- last lines of $1 ---" >&2; tail -n 30 "$1" >&2; fi
}

VAR=$ROOT/var/$NAME
RUN=$VAR/run LOG=$VAR/log NGX=$VAR/nginx CONF=$VAR/yichuang.conf
MYSQL_SOCK=$RUN/mysql.sock APP_SOCK=$RUN/app.sock BOARD_SOCK=$RUN/board.sock PUSH_SOCK=$RUN/push.sock
SQL_DIR=${YICHUANG_SQL_DIR:-$ROOT/sql}
BUILD=${YICHUANG_BUILD:-build}; [[ "$BUILD" == /* ]] || BUILD=$ROOT/$BUILD
if [ "$(id -u)" -eq 0 ]; then IS_ROOT=1 DBA=root; else IS_ROOT='' DBA=$(id -un); fi

# ---------------------------------------------------------------- ports and settings
ports() {
  local d_http='' d_redis='' d_mysql=''
  case "$NAME" in
    run)  d_http=8080  d_redis=16379 d_mysql=13306 ;;
    test) d_http=18080 d_redis=16380 d_mysql=13307 ;;
  esac
  PORT=${YICHUANG_PORT:-$d_http}
  REDIS_PORT=${YICHUANG_REDIS_PORT:-$d_redis}
  MYSQL_PORT=${YICHUANG_MYSQL_PORT:-$d_mysql}
  local p
  for p in PORT REDIS_PORT MYSQL_PORT; do
    [ -n "${!p}" ] || die "instance '$NAME' has no default ports: set YICHUANG_PORT, YICHUANG_REDIS_PORT and YICHUANG_MYSQL_PORT"
    [[ "${!p}" =~ ^[0-9]+$ ]] && [ "${!p}" -ge 1 ] && [ "${!p}" -le 65535 ] || die "YICHUANG_$p='${!p}' is not a port"
  done
  [ "$PORT" != "$REDIS_PORT" ] && [ "$PORT" != "$MYSQL_PORT" ] && [ "$REDIS_PORT" != "$MYSQL_PORT" ] \
    || die "the three ports must differ ($PORT, $REDIS_PORT, $MYSQL_PORT)"
  # The metrics listener (fcgi/metrics.h): loopback only, never through nginx.
  METRICS_PORT=${YICHUANG_METRICS_PORT:-$((PORT + 1000))}
  [[ "$METRICS_PORT" =~ ^[0-9]+$ ]] && [ "$METRICS_PORT" -le 65535 ] \
    || die "YICHUANG_METRICS_PORT='$METRICS_PORT' is not a port (set it, or 0 for none)"
  for p in "$PORT" "$REDIS_PORT" "$MYSQL_PORT"; do
    [ "$METRICS_PORT" != "$p" ] || die "YICHUANG_METRICS_PORT=$METRICS_PORT is already one of the other ports"
  done

  # Sign-in throttle: tight for a real hall, loose for tests (which set it when testing it).
  if [ "$NAME" = test ]; then SIGNIN_RATE=${YICHUANG_SIGNIN_RATE:-600r/m} SIGNIN_BURST=${YICHUANG_SIGNIN_BURST:-50}
  else SIGNIN_RATE=${YICHUANG_SIGNIN_RATE:-10r/m} SIGNIN_BURST=${YICHUANG_SIGNIN_BURST:-5}; fi
  [[ "$SIGNIN_RATE" =~ ^[1-9][0-9]*r/[sm]$ ]] || die "YICHUANG_SIGNIN_RATE='$SIGNIN_RATE' (want e.g. 10r/m or 5r/s)"
  [[ "$SIGNIN_BURST" =~ ^[0-9]+$ ]] || die "YICHUANG_SIGNIN_BURST='$SIGNIN_BURST' is not a number"
  # Case-tracking lookups and QR images (/api/v1/track/) per client address: generous, since
  # a whole hall's guest Wi-Fi shares one address; tests and bench set their own.
  if [ "$NAME" = run ]; then TRACK_RATE=${YICHUANG_TRACK_RATE:-120r/m} TRACK_BURST=${YICHUANG_TRACK_BURST:-60}
  else TRACK_RATE=${YICHUANG_TRACK_RATE:-1200r/m} TRACK_BURST=${YICHUANG_TRACK_BURST:-100}; fi
  [[ "$TRACK_RATE" =~ ^[1-9][0-9]*r/[sm]$ ]] || die "YICHUANG_TRACK_RATE='$TRACK_RATE' (want e.g. 120r/m or 5r/s)"
  [[ "$TRACK_BURST" =~ ^[0-9]+$ ]] || die "YICHUANG_TRACK_BURST='$TRACK_BURST' is not a number"
  # Delivery receipts pushed by the SMS providers (/api/v1/sms/receipts/): they come in
  # batches from a few addresses of the provider; anyone else is refused by the secret.
  RECEIPT_RATE=${YICHUANG_RECEIPT_RATE:-600r/m} RECEIPT_BURST=${YICHUANG_RECEIPT_BURST:-100}
  [[ "$RECEIPT_RATE" =~ ^[1-9][0-9]*r/[sm]$ ]] || die "YICHUANG_RECEIPT_RATE='$RECEIPT_RATE' (want e.g. 600r/m or 10r/s)"
  [[ "$RECEIPT_BURST" =~ ^[0-9]+$ ]] || die "YICHUANG_RECEIPT_BURST='$RECEIPT_BURST' is not a number"
  local b
  for b in YICHUANG_SMS_CODE_ADDRESS_DAY YICHUANG_SMS_CODE_HALL_DAY YICHUANG_SMS_CODE_INSTANCE_DAY; do
    [ -z "${!b:-}" ] || [[ "${!b}" =~ ^[0-9]+$ ]] || die "$b='${!b}' is not a number"
  done
  # The board's long polls one client address may hold at once (nginx answers more with 429).
  BOARD_POLLS=${YICHUANG_BOARD_POLLS:-16}
  [[ "$BOARD_POLLS" =~ ^[1-9][0-9]*$ ]] && [ "$BOARD_POLLS" -lt 65536 ] || die "YICHUANG_BOARD_POLLS='$BOARD_POLLS' is not a number from 1 to 65535"
  # Push (Server-Sent Events through nginx's nchan): the subscriptions one client address may
  # hold at once (nginx answers more with 429); run 256 (a hall's guest Wi-Fi is one
  # address), tests 64; the bench sets its own and spreads its clients over addresses.
  if [ "$NAME" = run ]; then PUSH_SUBS=${YICHUANG_PUSH_SUBS:-256}; else PUSH_SUBS=${YICHUANG_PUSH_SUBS:-64}; fi
  [[ "$PUSH_SUBS" =~ ^[1-9][0-9]*$ ]] && [ "$PUSH_SUBS" -lt 1000000 ] || die "YICHUANG_PUSH_SUBS='$PUSH_SUBS' is not a number from 1 to 999999"
  # Connections per nginx worker (each held subscriber is one); files per worker twice that.
  NGINX_CONNECTIONS=${YICHUANG_NGINX_CONNECTIONS:-4096}
  [[ "$NGINX_CONNECTIONS" =~ ^[1-9][0-9]*$ ]] && [ "$NGINX_CONNECTIONS" -le 1000000 ] || die "YICHUANG_NGINX_CONNECTIONS='$NGINX_CONNECTIONS' is not a number from 1 to 1000000"
  # Seconds nginx waits for the app's answer before 504 (the board's long poll has its own 35).
  APP_TIMEOUT=${YICHUANG_APP_TIMEOUT:-35}
  [[ "$APP_TIMEOUT" =~ ^[1-9][0-9]{0,3}$ ]] || die "YICHUANG_APP_TIMEOUT='$APP_TIMEOUT' is not a number of seconds"
}

# ---------------------------------------------------------------- processes
# pid_of PIDFILE PATTERN: print the recorded pid if that process is alive (not a zombie) and
# its command line contains PATTERN — after a reboot a stale pid may name someone else's process.
pid_of() {
  local pid='' cmd
  [ -r "$1" ] || return 1
  read -r pid < "$1" || true          # pid files may lack a final newline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  [ -n "$cmd" ] && [[ "$cmd" == *"$2"* ]] || return 1
  echo "$pid"
}

# children_of PID: its live child pids. proc_alive PID: alive and not a zombie.
# proc_stats: every process's /proc/PID/stat line.  Through cat, not as awk's own files: a
# process that exits between the glob and the read would make awk stop with an error, and
# the callers would take that for "no such process" (stop_service then stopped waiting for
# a server that was still up).
proc_stats() { cat /proc/[0-9]*/stat 2>/dev/null || true; }
children_of() {
  proc_stats | awk -v pp="$1" '{ pid = $1; s = $0; sub(/.*\) /, "", s); split(s, f, " ");
                                 if (f[2] == pp && f[1] != "Z") print pid }'
}
proc_alive() {
  local st; st=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[1] }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# group_alive PGID: does any live (non-zombie) process remain in the process group?
# Zombies count as gone: in containers whose pid 1 does not reap, they linger forever.
# Read through cat: a process that ends between the glob and the read is skipped (gawk stops
# at a missing file, and the group looked gone while it was still stopping); cat's own status
# (a file gone, or SIGPIPE when awk has seen enough) does not count under pipefail.
group_alive() {
  proc_stats | awk -v pg="$1" '{ s = $0; sub(/.*\) /, "", s); split(s, f, " ");
                                 if (f[3] == pg && f[1] != "Z") found = 1 }
                               END { exit !found }'
}

# spawn LOG PIDFILE CMD...: run CMD as the leader of a new session (so Ctrl-C in the caller's
# terminal does not reach it and its children form one group we can stop together), output
# appended to LOG. The process writes its own pid just before exec, so the pid is right
# whether or not setsid had to fork.
spawn() {
  local log=$1 pidfile=$2 i; shift 2
  rm -f "$pidfile"
  setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null 9>&- &
  for ((i = 0; i < 50; i++)); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "could not start $1"
}

# stop_service LABEL PIDFILE PATTERN SIGNAL TIMEOUT: send SIGNAL to the recorded process, wait
# for its whole process group (every service here leads its own), then SIGKILL the group.
stop_service() {
  local label=$1 file=$2 pattern=$3 sig=$4 timeout=$5 pid pgid i
  if ! pid=$(pid_of "$file" "$pattern"); then rm -f "$file"; return 0; fi
  pgid=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[3] }' "/proc/$pid/stat" 2>/dev/null) || pgid=
  [ "$pgid" = "$pid" ] || pgid=      # only a group we know this process leads
  kill -"$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    if [ -n "$pgid" ]; then group_alive "$pgid" || break
    else pid_of "$file" "$pattern" >/dev/null || break; fi
    sleep 0.1
  done
  if [ "$i" -ge $((timeout * 10)) ]; then
    warn "$label did not stop within ${timeout}s: SIGKILL"
    if [ -n "$pgid" ]; then kill -KILL -- "-$pgid" 2>/dev/null || true
    else kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.2
  fi
  rm -f "$file"
  say "$label stopped (pid $pid)"
}

# wait_until LABEL SECONDS LOG CMD...: poll CMD until it succeeds; on timeout show LOG's tail.
wait_until() {
  local label=$1 secs=$2 log=$3 i; shift 3
  for ((i = 0; i < secs * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  tail_log "$log"
  die "$label did not come up within ${secs}s (log: $log)"
}

# Something else listening on a port we are about to use: fail now with a clear message
# instead of letting the server die with a bind error in its log.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
check_port_free() {
  ! port_busy "$2" || die "port $2 (for $1) is already in use by another process; pick another with YICHUANG_*_PORT"
}

# render TEMPLATE OUT KEY=VALUE...: replace every @KEY@; refuse a leftover placeholder.
render() {
  local tpl=$1 out=$2 kv v args=(); shift 2
  for kv in "$@"; do
    v=$(printf '%s' "${kv#*=}" | sed 's/[\\|&]/\\&/g')
    args+=(-e "s|@${kv%%=*}@|$v|g")
  done
  sed "${args[@]}" "$tpl" > "$out.tmp"
  if grep -n '@[A-Z_][A-Z_]*@' "$out.tmp" >&2; then rm -f "$out.tmp"; die "unfilled placeholder in $tpl"; fi
  mv "$out.tmp" "$out"
}

# make_secret FILE BYTES: random hex (no newline), created once, readable by the owner only.
make_secret() {
  [ -s "$1" ] && { chmod 600 "$1"; return 0; }
  (umask 077; head -c "$2" /dev/urandom | od -An -v -tx1 | tr -d ' \n' > "$1.tmp")
  mv "$1.tmp" "$1"
  chmod 600 "$1"
}

# ---------------------------------------------------------------- MariaDB
db_root() {   # as the database superuser over the unix socket (socket auth: no password)
  mariadb --no-defaults --socket="$MYSQL_SOCK" -u"$DBA" --default-character-set=utf8mb4 \
          --batch --skip-column-names "$@"
}
mariadb_ready() {
  pid_of "$RUN/mariadb.pid" mariadbd >/dev/null || { tail_log "$LOG/mariadb.log"; die "mariadbd exited during start-up"; }
  mariadb-admin --no-defaults --socket="$MYSQL_SOCK" -u"$DBA" ping >/dev/null 2>&1
}

start_mariadb() {
  local datadir=$VAR/mysql pid
  render ops/mariadb.cnf.in "$VAR/my.cnf" DATADIR="$datadir" PORT="$MYSQL_PORT" RUN="$RUN" LOG="$LOG"
  if pid=$(pid_of "$RUN/mariadb.pid" mariadbd); then
    say "mariadb already running (pid $pid)"
  else
    # The marker is written only after a complete initialisation, so an interrupted one
    # (which leaves a datadir mariadb-install-db refuses or half-fills) is simply redone.
    if [ ! -f "$datadir/.yichuang-initialised" ]; then
      [ -d "$datadir" ] && { warn "removing half-initialised $datadir"; rm -rf "$datadir"; }
      say "mariadb: initialising $datadir"
      # Socket auth for the superuser: whoever runs this script is the DBA, no password to
      # keep. As root: --user=root (else it wants a "mysql" account); not as root: the
      # second superuser account is the invoking user (root@localhost is then unusable).
      local as_user=(--user=root); [ -n "$IS_ROOT" ] || as_user=(--auth-root-socket-user="$DBA")
      mariadb-install-db --defaults-file="$VAR/my.cnf" --datadir="$datadir" "${as_user[@]}" \
          --auth-root-authentication-method=socket --skip-test-db >"$LOG/mariadb-install.log" 2>&1 \
        || { tail_log "$LOG/mariadb-install.log"; die "mariadb-install-db failed"; }
      touch "$datadir/.yichuang-initialised"
    fi
    check_port_free mariadb "$MYSQL_PORT"
    local as_user=(); [ -n "$IS_ROOT" ] && as_user=(--user=root)
    spawn "$LOG/mariadb.out" "$RUN/mariadb.pid" mariadbd --defaults-file="$VAR/my.cnf" "${as_user[@]}"
    say "mariadb started (pid $(cat "$RUN/mariadb.pid"), port $MYSQL_PORT)"
  fi
  wait_until mariadb 60 "$LOG/mariadb.log" mariadb_ready
  # The app may connect over TCP: make sure this server has the port we will write into
  # yichuang.conf (one probe only: each one leaves an "aborted connection" note in the log).
  port_busy "$MYSQL_PORT" || die "mariadb runs but not on port $MYSQL_PORT (ports changed? run: ops/stack.sh down $NAME)"
}

setup_database() {
  make_secret "$VAR/db.password" 24
  local pw; pw=$(cat "$VAR/db.password")
  # ALTER as well as CREATE: if db.password was lost, the account follows the new file.
  # The database, schema_migrations and the account's grants are migrate's (below).
  db_root <<SQL
CREATE USER IF NOT EXISTS 'yichuang'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'yichuang'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'yichuang'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'yichuang'@'127.0.0.1' IDENTIFIED BY '$pw';
SQL
}

# migrate: what sql/migrations holds and the database has not recorded, in order, then the
# demo seed once (recorded as seed:demo), then the app account's table grants (rebuilt every
# time, so new tables are covered and dropped ones lose theirs) — all by yichuang-admin
# migrate, exactly as on an installed hall (docs/INSTALL.md). A failed migration is not
# recorded: fix it and run up again.
migrate() {
  local seed=() line
  [ -x "$BUILD/yichuang-admin" ] || die "$BUILD/yichuang-admin is not built (make all): it applies the migrations"
  [ -f "$SQL_DIR/seed/demo.sql" ] && seed=("$SQL_DIR/seed/demo.sql")
  if ! "$BUILD/yichuang-admin" -c "$CONF" migrate "${seed[@]+"${seed[@]}"}" >"$LOG/migrate.log" 2>&1 9>&-; then
    tail_log "$LOG/migrate.log"
    die "yichuang-admin migrate failed (log: $LOG/migrate.log)"
  fi
  while read -r line; do say "sql: $line"; done < <(grep -E '^applied ' "$LOG/migrate.log")
}

# ---------------------------------------------------------------- Redis
redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start_redis() {
  local pid
  render ops/redis.conf.in "$VAR/redis/redis.conf" PORT="$REDIS_PORT" REDIS_DIR="$VAR/redis" RUN="$RUN" LOG="$LOG"
  if pid=$(pid_of "$RUN/redis.pid" redis-server); then
    say "redis already running (pid $pid)"
  else
    check_port_free redis "$REDIS_PORT"
    # daemonize yes: redis forks, leads its own session and writes run/redis.pid itself.
    redis-server "$VAR/redis/redis.conf" >>"$LOG/redis.out" 2>&1 9>&- \
      || { tail_log "$LOG/redis.log"; die "redis-server failed"; }
  fi
  wait_until redis 15 "$LOG/redis.log" redis_ready
  [ -n "${pid:-}" ] || say "redis started (pid $(cat "$RUN/redis.pid"), port $REDIS_PORT)"
}

# ---------------------------------------------------------------- yichuang.conf
conf_get() { [ -f "$CONF" ] && sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$CONF" | head -n 1; }
app_running() {
  pid_of "$RUN/app.pid" yichuang-app >/dev/null || pid_of "$RUN/worker.pid" yichuang-worker >/dev/null
}

# write_conf: regenerate var/NAME/yichuang.conf from the environment (secrets are kept).
# Sets CONF_CHANGED=1 when the content differs from the previous file.
write_conf() {
  local spec=${YICHUANG_NOW:-} base=0 real=0 procs=${YICHUANG_APP_PROCESSES:-2} threads=${YICHUANG_APP_THREADS:-32}
  [ -z "$spec" ] && [ "$NAME" = test ] && spec=2026-11-23T09:30:00+08:00   # a Monday, 09:30: hall open
  if [ -n "$spec" ]; then
    base=$(date -d "$spec" +%s 2>/dev/null) || die "YICHUANG_NOW='$spec' is not a date (want RFC 3339, e.g. 2026-11-23T09:30:00+08:00)"
    real=$(date +%s)
    # Same clock asked for while app/worker run: keep the old anchor so hall time keeps
    # running instead of jumping back to $spec (and nothing needs a restart).
    if app_running && [ "$(conf_get clock_base)" = "$base" ]; then
      local old; old=$(conf_get clock_real)
      [[ "$old" =~ ^[1-9][0-9]*$ ]] && real=$old
    fi
  fi
  [[ "$procs" =~ ^[1-9][0-9]*$ ]] || die "YICHUANG_APP_PROCESSES='$procs' is not a positive number"
  [[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "YICHUANG_APP_THREADS='$threads' is not a positive number"

  (umask 077; cat > "$CONF.tmp" <<EOF
# yichuang.conf — generated by ops/stack.sh for instance $NAME; edits are lost at the next up.
# key = value; '#' starts a comment. Hall time = clock_base + (now - clock_real) when
# clock_base is not 0, so every process agrees on the same simulated clock.
instance = $NAME
app_socket = $APP_SOCK
app_processes = $procs
app_threads = $threads
# Long polls (the board) on their own socket and threads, so they never hold the API's.
app_board_socket = $BOARD_SOCK
app_board_threads = ${YICHUANG_APP_BOARD_THREADS:-64}
# Push: each change of a hall's queue is published to nginx's nchan at this unix socket (or
# 127.0.0.1:port)
# (modules/queue/push.c), within push_timeout_ms; empty: no push, the clients poll.
push_publisher = $PUSH_SOCK
push_timeout_ms = ${YICHUANG_PUSH_TIMEOUT_MS:-250}
# nginx's limit of held push subscriptions per client address (YICHUANG_PUSH_SUBS); the
# app does not read it, the tests do.
push_subscribers_per_address = $PUSH_SUBS
redis_socket = $RUN/redis.sock
redis_host = 127.0.0.1
redis_port = $REDIS_PORT
mysql_socket = $MYSQL_SOCK
mysql_host = 127.0.0.1
mysql_port = $MYSQL_PORT
mysql_user = yichuang
mysql_password = $(cat "$VAR/db.password")
mysql_db = yichuang
public_base_url = http://127.0.0.1:$PORT
sms_templates_dir = $ROOT/sms-templates
migrations_dir = $SQL_DIR/migrations
# yichuang-admin migrate changes the schema as the database superuser (unix socket auth).
migrate_user = $DBA
sms_provider = ${YICHUANG_SMS_PROVIDER:-log}
sms_log = $VAR/sms.log
sms_base_url = ${YICHUANG_SMS_BASE_URL:-}
wechat_base_url = ${YICHUANG_WECHAT_BASE_URL:-}
key_file = $VAR/secret.key
result_key_file = $VAR/result-sign.key
upload_dir = $VAR/uploads
clock_base = $base
clock_real = $real
access_log = $LOG/access.log
# GET /metrics (Prometheus) on its own listener; nginx never passes it on.
metrics_listen = $([ "$METRICS_PORT" -gt 0 ] && echo "127.0.0.1:$METRICS_PORT")
EOF
  # The secret at the end of the SMS delivery-receipt callback URL (docs/API.md).
  echo "sms_receipt_token = $(cat "$VAR/sms-receipt.token")" >> "$CONF.tmp"
  # Daily budgets of login codes, when the environment sets them (else the app's defaults).
  [ -z "${YICHUANG_SMS_CODE_ADDRESS_DAY:-}" ] || echo "sms_code_address_day = $YICHUANG_SMS_CODE_ADDRESS_DAY" >> "$CONF.tmp"
  [ -z "${YICHUANG_SMS_CODE_HALL_DAY:-}" ] || echo "sms_code_hall_day = $YICHUANG_SMS_CODE_HALL_DAY" >> "$CONF.tmp"
  [ -z "${YICHUANG_SMS_CODE_INSTANCE_DAY:-}" ] || echo "sms_code_instance_day = $YICHUANG_SMS_CODE_INSTANCE_DAY" >> "$CONF.tmp"
  # Test instances let a test move the hall clock (clock.h): "BASE REAL" in this file.
  [ "$NAME" = run ] || echo "clock_file = $VAR/clock" >> "$CONF.tmp"
  [ -z "${YICHUANG_CONF_EXTRA:-}" ] || printf '# from YICHUANG_CONF_EXTRA\n%s\n' "$YICHUANG_CONF_EXTRA" >> "$CONF.tmp")
  CONF_CHANGED=
  cmp -s "$CONF.tmp" "$CONF" 2>/dev/null || CONF_CHANGED=1
  mv "$CONF.tmp" "$CONF"
}

# ---------------------------------------------------------------- app and worker
app_ready() {
  # The app starts itself again once at start (programs/app.c, malloc_tunables): while the
  # kernel swaps its image, /proc/PID/cmdline reads empty for an instant. Only a second miss
  # means it is gone.
  pid_of "$RUN/app.pid" yichuang-app >/dev/null ||
    { sleep 0.05; pid_of "$RUN/app.pid" yichuang-app >/dev/null; } ||
    { tail_log "$LOG/app.log"; die "yichuang-app exited during start-up"; }
  [ -S "$APP_SOCK" ]
}

# Binary replaced since the process started (make rebuilt it): /proc/PID/exe then points to
# the unlinked old file.
stale_binary() { [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == *" (deleted)" ]]; }

start_app() {
  local pid
  if [ ! -x "$BUILD/yichuang-app" ]; then
    warn "$BUILD/yichuang-app not built yet: app not started (API answers 503)"
  elif pid=$(pid_of "$RUN/app.pid" yichuang-app); then
    say "app already running (pid $pid)"
  else
    rm -f "$APP_SOCK"     # a stale socket would make the wait below pass too early
    spawn "$LOG/app.log" "$RUN/app.pid" "$BUILD/yichuang-app" -c "$CONF"
    wait_until app 20 "$LOG/app.log" app_ready
    say "app started (pid $(cat "$RUN/app.pid"), $APP_SOCK)"
  fi
  if [ ! -x "$BUILD/yichuang-worker" ]; then
    warn "$BUILD/yichuang-worker not built yet: worker not started (no SMS delivery)"
  elif pid=$(pid_of "$RUN/worker.pid" yichuang-worker); then
    say "worker already running (pid $pid)"
  else
    spawn "$LOG/worker.log" "$RUN/worker.pid" "$BUILD/yichuang-worker" -c "$CONF"
    sleep 0.3   # it has no socket to wait for; catch a start-up failure at least
    pid_of "$RUN/worker.pid" yichuang-worker >/dev/null || { tail_log "$LOG/worker.log"; die "yichuang-worker exited during start-up"; }
    say "worker started (pid $(cat "$RUN/worker.pid"))"
  fi
}

stop_app() {
  # libfcgi's own SIGTERM handler only sets a flag; the app must wake its accept loop
  # (see DESIGN.md). If it does not within 15 s, the group is killed.
  stop_service app "$RUN/app.pid" yichuang-app TERM 15
  stop_service worker "$RUN/worker.pid" yichuang-worker TERM 15
  rm -f "$APP_SOCK" "$BOARD_SOCK"
}

seed_demo() {
  if [ -x "$BUILD/yichuang-admin" ]; then
    say "admin: seed-demo"
    "$BUILD/yichuang-admin" -c "$CONF" seed-demo >>"$LOG/admin.log" 2>&1 9>&- \
      || { tail_log "$LOG/admin.log"; die "yichuang-admin seed-demo failed"; }
  else
    warn "$BUILD/yichuang-admin not built yet: holiday calendar and demo passwords not loaded"
  fi
}

# ---------------------------------------------------------------- nginx
nginx_cmd() { nginx -p "$NGX/" -e "$LOG/nginx-error.log" -c "$NGX/nginx.conf" "$@" 9>&-; }
nginx_ready() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null) || true
  [ -n "$code" ] && [ "$code" != 000 ]
}

start_nginx() {
  local pid user_line='# not started as root: no user directive'
  [ -n "$IS_ROOT" ] && user_line='user root;'   # workers must reach the root-owned app socket
  [ -d nginx/site ] || warn "nginx/site does not exist yet: every static path is 404"
  # Push: nginx's nchan module (Debian's libnginx-mod-nchan, installed by ops/deps.sh).
  local NCHAN_SO=${YICHUANG_NCHAN_MODULE:-/usr/lib/nginx/modules/ngx_nchan_module.so}
  [ -r "$NCHAN_SO" ] || die "nginx's nchan module is missing ($NCHAN_SO): run ops/deps.sh (libnginx-mod-nchan)"
  render nginx/nginx.conf.in "$NGX/nginx.conf.new" USER_LINE="$user_line" NGINX_DIR="$NGX" \
    LOG="$LOG" RUN="$RUN" CONF_DIR="$ROOT/nginx" SITE="$ROOT/nginx/site" PORT="$PORT" \
    SOCK="$APP_SOCK" BOARD_SOCK="$BOARD_SOCK" SIGNIN_RATE="$SIGNIN_RATE" SIGNIN_BURST="$SIGNIN_BURST" \
    TRACK_RATE="$TRACK_RATE" TRACK_BURST="$TRACK_BURST" RECEIPT_RATE="$RECEIPT_RATE" \
    RECEIPT_BURST="$RECEIPT_BURST" BOARD_POLLS="$BOARD_POLLS" APP_TIMEOUT="$APP_TIMEOUT" \
    NCHAN="$NCHAN_SO" PUSH_SOCK="$PUSH_SOCK" PUSH_SUBS="$PUSH_SUBS" \
    CONNECTIONS="$NGINX_CONNECTIONS" NOFILE="$((NGINX_CONNECTIONS * 2 + 64))"
  local changed=; cmp -s "$NGX/nginx.conf.new" "$NGX/nginx.conf" || changed=1
  mv "$NGX/nginx.conf.new" "$NGX/nginx.conf"
  if pid=$(pid_of "$RUN/nginx.pid" "$NGX/nginx.conf"); then
    if [ -n "$changed" ]; then
      nginx_cmd -t -q || die "generated $NGX/nginx.conf is invalid"
      # A reload is asynchronous: wait for the old workers to go, so the next request
      # (a test, typically) already sees the new config.
      local old w i alive; old=$(children_of "$pid")
      kill -HUP "$pid"
      for ((i = 0; i < 100; i++)); do
        alive=; for w in $old; do proc_alive "$w" && alive=1; done
        [ -n "$alive" ] || break
        sleep 0.1
      done
      say "nginx reloaded with the new config (pid $pid)"
    else
      say "nginx already running (pid $pid)"
    fi
  else
    check_port_free nginx "$PORT"
    rm -f "$PUSH_SOCK"   # left by an nginx that was killed: bind would fail on it
    nginx_cmd -t -q 2>>"$LOG/nginx-error.log" || { tail_log "$LOG/nginx-error.log"; die "generated $NGX/nginx.conf is invalid"; }
    nginx_cmd || { tail_log "$LOG/nginx-error.log"; die "nginx failed to start"; }
    say "nginx started (pid $(cat "$RUN/nginx.pid"), port $PORT)"
  fi
  wait_until nginx 10 "$LOG/nginx-error.log" nginx_ready
}

# ---------------------------------------------------------------- commands
# One stack.sh at a time per instance. Every server we start gets `9>&-`: a daemon that
# inherited fd 9 would hold the lock for as long as it runs.
lock() {
  mkdir -p "$VAR"
  exec 9>"$VAR/.lock"
  flock -w 120 9 || die "another ops/stack.sh is still working on '$NAME'"
}

cmd_up() {
  ports
  # sun_path holds 107 bytes: a deep checkout would make the sockets fail to bind.
  [ ${#APP_SOCK} -le 100 ] && [ ${#MYSQL_SOCK} -le 100 ] \
    || die "the socket paths under $RUN are too long for unix sockets; use a shorter checkout path"
  lock
  chmod 700 "$VAR"
  mkdir -p "$RUN" "$LOG" "$NGX" "$VAR/redis" "$VAR/uploads"
  touch "$VAR/sms.log"

  start_mariadb
  setup_database
  make_secret "$VAR/secret.key" 32
  make_secret "$VAR/sms-receipt.token" 32
  # The Ed25519 seed that signs results' QR codes (docs/API.md "Results"): made once, never
  # leaves var/NAME; the app derives and publishes the public key.
  make_secret "$VAR/result-sign.key" 32
  write_conf
  migrate
  start_redis
  seed_demo

  # Restart app+worker when what they run on changed: new conf, or a rebuilt binary.
  local pid reason=
  [ -n "$CONF_CHANGED" ] && app_running && reason="yichuang.conf changed"
  for pid in $(pid_of "$RUN/app.pid" yichuang-app) $(pid_of "$RUN/worker.pid" yichuang-worker); do
    stale_binary "$pid" && reason="binary rebuilt"
  done
  if [ -n "$reason" ]; then say "restarting app and worker: $reason"; stop_app; fi
  start_app
  start_nginx

  if [ "$NAME" = run ]; then
    cat <<EOF

  yichuang is up: http://127.0.0.1:$PORT/        (${SECONDS}s)

  Demo staff of hall "demo", password: yichuang-demo   (demo seed only)
    clerk1 … clerk9   window staff (clerkN at window N; window 9 is 咨询导办)
    approver1         back office (市场监督管理局)
    manager1          hall manager
    admin             administrator
    kiosk1            the hall's ticket kiosk

  Citizens   /  /book.html  /apply.html  /login.html (code in var/$NAME/sms.log)
  SMS receipts: register http(s)://<host>/api/v1/sms/receipts/{aliyun|tencent}/<var/$NAME/sms-receipt.token>
  Hall       /kiosk.html  /console.html  /board.html
  Staff      /staff/login.html  /staff/cases.html  /staff/case-new.html  /staff/dashboard.html

  logs: var/$NAME/log/   stop: ops/stack.sh down $NAME
EOF
  else
    say "up: http://127.0.0.1:$PORT/ (redis $REDIS_PORT, mysql $MYSQL_PORT, ${SECONDS}s)"
  fi
}

cmd_down() {
  [ -d "$VAR" ] || { say "nothing to stop"; return 0; }
  lock
  # Front to back: stop taking requests first, the record last.
  stop_service nginx "$RUN/nginx.pid" "$NGX/nginx.conf" QUIT 15
  stop_app
  stop_service redis "$RUN/redis.pid" redis-server TERM 30          # SIGTERM flushes the AOF
  stop_service mariadb "$RUN/mariadb.pid" mariadbd TERM 60
  say "down (data kept in var/$NAME)"
}

cmd_status() {
  local all=0 pid label file pattern
  while read -r label file pattern; do
    if pid=$(pid_of "$RUN/$file" "$pattern"); then printf '  %-8s running (pid %s)\n' "$label" "$pid"
    else printf '  %-8s stopped\n' "$label"; all=3; fi
  done <<EOF
mariadb mariadb.pid mariadbd
redis   redis.pid   redis-server
app     app.pid     yichuang-app
worker  worker.pid  yichuang-worker
nginx   nginx.pid   $NGX/nginx.conf
EOF
  [ -f "$CONF" ] && printf '  site     %s/\n' "$(conf_get public_base_url)"
  return $all
}

cmd_restart_app() {
  ports
  [ -f "$VAR/db.password" ] || die "instance '$NAME' was never started: use up"
  lock
  make_secret "$VAR/sms-receipt.token" 32   # an instance from before the receipts' secret
  make_secret "$VAR/result-sign.key" 32      # … or from before results were signed
  write_conf     # before stopping, so a running hall clock keeps its anchor
  stop_app
  start_app
}

case "$CMD" in
  up)          cmd_up ;;
  down)        cmd_down ;;
  status)      cmd_status ;;
  wipe)        cmd_down; rm -rf "$VAR"; say "wiped var/$NAME" ;;
  restart-app) cmd_restart_app ;;
  # Single services, for the fault tests (a dependency that goes away and comes back).
  redis-stop)  lock; stop_service redis "$RUN/redis.pid" redis-server TERM 30 ;;
  redis-start) ports; lock; start_redis ;;
  mysql-stop)  lock; stop_service mariadb "$RUN/mariadb.pid" mariadbd TERM 60 ;;
  mysql-start) ports; lock; start_mariadb ;;
  app-stop)    lock; stop_app ;;
  app-start)   ports; lock; start_app ;;
  *)           usage ;;
esac
