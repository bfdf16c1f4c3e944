#!/usr/bin/env bash
# ops/cluster.sh — a several-host yichuang deployment on this one machine: each "host" is a
# network namespace (ip netns) wired by a veth pair to a private bridge, running Debian's own
# engines.  Everything lives under var/cluster/; `down` removes all of it.
#
#   ops/cluster.sh up              build the hosts and start everything (from nothing)
#   ops/cluster.sh down            stop every process in the hosts, remove namespaces, links, files
#   ops/cluster.sh status          what runs where; exit 0 only if everything does
#   ops/cluster.sh kill HOST       kill -9 the host's engine (db1..3: mariadbd; rd1..2: redis)
#   ops/cluster.sh start HOST      start it again (a Galera node rejoins by IST)
#   ops/cluster.sh cut HOST        take the host off the network (its link down); mend: back
#   ops/cluster.sh mend HOST
#   ops/cluster.sh primary         the Redis primary's host name, as the Sentinels see it
#   ops/cluster.sh sql HOST SQL…   run SQL as the superuser on a Galera node (tests)
#   ops/cluster.sh app-stop HOST / app-start HOST   app + worker of app1/app2 only
#   ops/cluster.sh lb "app1 [app2]"  the balancer again, over these app hosts only (bench)
#
# Hosts (bridge yc-br0, 10.77.0.0/24; this machine is 10.77.0.1 on it):
#   yc-db1..3  10.77.0.11-13  MariaDB + Galera (galera-4), SST by rsync, IST from gcache
#   yc-rd1..2  10.77.0.21-22  Redis primary (rd1 at first) and replica, a Sentinel each
#   yc-rd3     10.77.0.23     the third Sentinel (quorum 2)
#   yc-app1..2 10.77.0.31-32  nginx :8080 + yichuang-app + yichuang-worker
#   yc-lb      10.77.0.40     haproxy :80 → app1, app2 (health check GET /api/v1/health)
# The hall: http://10.77.0.40/ from this machine.
#
# Env: YICHUANG_NOW (the hall clock, as ops/stack.sh), YICHUANG_BUILD (build),
#   YICHUANG_APP_PROCESSES (1 per app host), YICHUANG_APP_THREADS (16), YICHUANG_CONF_EXTRA
#   (lines appended to both app hosts' yichuang.conf), CLUSTER_APPS ("app1 app2": the app
#   hosts behind the balancer; "app1" for the one-host side of the throughput comparison).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
unset MYSQL_HOST MYSQL_TCP_PORT MYSQL_UNIX_PORT MYSQL_PWD

VAR=$ROOT/var/cluster
NET=10.77.0 BR=yc-br0
BUILD=${YICHUANG_BUILD:-build}; [[ "$BUILD" == /* ]] || BUILD=$ROOT/$BUILD
GALERA=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
APPS=${CLUSTER_APPS:-app1 app2}

declare -A ADDR=([db1]=11 [db2]=12 [db3]=13 [rd1]=21 [rd2]=22 [rd3]=23 [app1]=31 [app2]=32 [lb]=40)
HOSTS="db1 db2 db3 rd1 rd2 rd3 app1 app2 lb"

say()  { printf '[cluster] %s\n' "$*"; }
die()  { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }
tail_log() { [ -f "$1" ] && { echo "--- last lines of $1 ---" >&2; tail -n 30 "$1" >&2; }; return 0; }
ip_of() { echo "$NET.${ADDR[$1]}"; }
ns() { local h=$1; shift; ip netns exec "yc-$h" "$@"; }
known_host() { [ -n "${ADDR[$1]:-}" ] || die "no host '$1' (hosts: $HOSTS)"; }

wait_for() {   # wait_for LABEL SECONDS LOG CMD…
  local label=$1 secs=$2 log=$3 i; shift 3
  for ((i = 0; i < secs * 10; i++)); do "$@" && return 0; sleep 0.1; done
  tail_log "$log"; die "$label did not come up within ${secs}s (log: $log)"
}

# spawn HOST LOG PIDFILE CMD…: run CMD in the host's namespace, leading its own session.
spawn() {
  local h=$1 log=$2 pidfile=$3 i; shift 3
  rm -f "$pidfile"
  ip netns exec "yc-$h" setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
  for ((i = 0; i < 50; i++)); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "could not start $*"
}
pid_alive() { local p; [ -r "$1" ] && read -r p < "$1" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"; }

make_secret() {
  [ -s "$1" ] && return 0
  (umask 077; head -c "$2" /dev/urandom | od -An -v -tx1 | tr -d ' \n' > "$1")
}

render() {   # as ops/stack.sh: every @KEY@ replaced, a leftover refused
  local tpl=$1 out=$2 kv v args=(); shift 2
  for kv in "$@"; do
    v=$(printf '%s' "${kv#*=}" | sed 's/[\\|&]/\\&/g')
    args+=(-e "s|@${kv%%=*}@|$v|g")
  done
  sed "${args[@]}" "$tpl" > "$out.tmp"
  if grep -n '@[A-Z_][A-Z_]*@' "$out.tmp" >&2; then rm -f "$out.tmp"; die "unfilled placeholder in $tpl"; fi
  mv "$out.tmp" "$out"
}

# ---------------------------------------------------------------- network
net_up() {
  local h a
  ip link show "$BR" >/dev/null 2>&1 || ip link add "$BR" type bridge
  ip addr show dev "$BR" | grep -q "inet $NET.1/24" || ip addr add "$NET.1/24" dev "$BR"
  ip link set "$BR" up
  for h in $HOSTS; do
    a=$(ip_of "$h")
    ip netns list | grep -qw "yc-$h" || ip netns add "yc-$h"
    if ! ip link show "yc-$h" >/dev/null 2>&1; then
      ip link add "yc-$h" type veth peer name eth0 netns "yc-$h"
      ip link set "yc-$h" master "$BR"
    fi
    ip link set "yc-$h" up
    ns "$h" ip link set lo up
    ns "$h" ip addr show dev eth0 | grep -q "inet $a/24" || ns "$h" ip addr add "$a/24" dev eth0
    ns "$h" ip link set eth0 up
  done
}

net_down() {
  local h
  for h in $HOSTS; do
    ip link del "yc-$h" 2>/dev/null || true
    ip netns del "yc-$h" 2>/dev/null || true
  done
  ip link del "$BR" 2>/dev/null || true
}

# Every process in our namespaces, killed (down: they are ours, nothing else runs there).
kill_host_procs() {
  local h=$1 sig=$2 p
  ip netns list | grep -qw "yc-$h" || return 0
  for p in $(ip netns pids "yc-$h" 2>/dev/null); do kill -"$sig" "$p" 2>/dev/null || true; done
}

# ---------------------------------------------------------------- MariaDB (Galera)
db_sql() {   # db_sql HOST [mariadb args…] — as root over the node's unix socket
  local h=$1; shift
  mariadb --no-defaults --socket="$VAR/$h/run/mysql.sock" -uroot --default-character-set=utf8mb4 \
          --batch --skip-column-names "$@"
}
db_status() { db_sql "$1" -e "SHOW STATUS LIKE '$2'" 2>/dev/null | awk '{ print $2 }'; }
db_synced() { [ "$(db_status "$1" wsrep_local_state_comment)" = Synced ] && [ "$(db_status "$1" wsrep_ready)" = ON ]; }

db_conf() {
  local h=$1 d=$VAR/$1 a; a=$(ip_of "$1")
  mkdir -p "$d/run" "$d/log"
  # The server runs as Debian's mysql account, as installed: the rsync SST script starts an
  # rsync daemon as the server's user, and one started by root would drop to "nobody".
  chown mysql:mysql "$d" "$d/run" "$d/log"
  cat > "$d/my.cnf" <<EOF
# $h — one Galera node of the yichuang cluster (ops/cluster.sh)
[mysqld]
datadir                 = $d/data
bind-address            = $a
port                    = 3306
socket                  = $d/run/mysql.sock
pid-file                = $d/run/mariadb.pid
log-error               = $d/log/mariadb.log
skip-name-resolve
local-infile            = 0
character-set-server    = utf8mb4
collation-server        = utf8mb4_unicode_ci
default-time-zone       = '+08:00'
innodb_buffer_pool_size = 64M
max_connections         = 300
innodb_flush_log_at_trx_commit = 1

# Galera: row events only, InnoDB only, interleaved auto-increment locks (required).
binlog_format           = ROW
default_storage_engine  = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on                = ON
wsrep_provider          = $GALERA
wsrep_cluster_name      = yichuang
wsrep_cluster_address   = gcomm://$NET.11,$NET.12,$NET.13
wsrep_node_address      = $a
wsrep_node_name         = $h
wsrep_sst_method        = rsync
# A node back from a crash catches up from a peer's gcache (IST) rather than a full copy.
wsrep_provider_options  = "gcache.size=64M; gcache.recover=yes"
# Each node hands out auto-increment ids in its own residue class (offset = its index,
# increment = the cluster's size), so inserts on several nodes never collide.
wsrep_auto_increment_control = ON
EOF
}

db_init() {
  local h=$1 d=$VAR/$1
  [ -f "$d/data/.yichuang-initialised" ] && return 0
  rm -rf "$d/data"
  mariadb-install-db --no-defaults --datadir="$d/data" --user=mysql \
      --auth-root-authentication-method=socket --skip-test-db >"$d/log/install.log" 2>&1 \
    || { tail_log "$d/log/install.log"; die "mariadb-install-db failed for $h"; }
  touch "$d/data/.yichuang-initialised"
}

# The position a node killed mid-write recovers to (mariadbd --wsrep-recover), so that it
# asks its peers for the missing write sets only (IST) rather than a full copy.
db_recover_position() {
  local h=$1 d=$VAR/$1 pos
  ns "$h" mariadbd --defaults-file="$d/my.cnf" --user=mysql --wsrep-recover \
      --log-error="$d/log/recover.log" >/dev/null 2>&1 || true
  pos=$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$d/log/recover.log" | tail -n 1)
  echo "$pos"
}

db_start() {   # db_start HOST [--wsrep-new-cluster]
  local h=$1 d=$VAR/$1 extra=() pos p; shift
  if p=$(pid_alive "$d/run/mysqld.pid"); then say "$h: mariadb already running (pid $p)"; return 0; fi
  db_conf "$h"
  db_init "$h"
  if [ -f "$d/data/grastate.dat" ] && grep -q '^seqno: *-1' "$d/data/grastate.dat"; then
    pos=$(db_recover_position "$h")
    [ -n "$pos" ] && extra+=("--wsrep_start_position=$pos") && say "$h: recovered position $pos"
  fi
  spawn "$h" "$d/log/mariadb.out" "$d/run/mysqld.pid" mariadbd --defaults-file="$d/my.cnf" --user=mysql "$@" "${extra[@]+"${extra[@]}"}"
  wait_for "$h (Galera synced)" 180 "$d/log/mariadb.log" db_synced "$h"
  say "$h: mariadb synced ($(ip_of "$h"):3306, cluster size $(db_status "$h" wsrep_cluster_size))"
}

# ---------------------------------------------------------------- Redis + Sentinel
redis_conf() {
  local h=$1 d=$VAR/$1 a; a=$(ip_of "$1")
  mkdir -p "$d/data" "$d/run" "$d/log"
  cat > "$d/redis.conf" <<EOF
# $h — Redis of the yichuang cluster (ops/cluster.sh); Sentinel moves the primary role.
bind $a 127.0.0.1
port 6379
protected-mode no
daemonize no
pidfile $d/run/redis.pid
logfile $d/log/redis.log
dir $d/data
appendonly yes
appendfsync everysec
# A replica may answer reads only; writes go to the primary the Sentinels name.
replica-read-only yes
replica-announce-ip $a
EOF
  [ "$h" = rd1 ] || echo "replicaof $NET.21 6379" >> "$d/redis.conf"
}

sentinel_conf() {
  local h=$1 d=$VAR/$1 a; a=$(ip_of "$1")
  mkdir -p "$d/run" "$d/log"
  # Sentinel rewrites its own file (the current primary, the peers): written once.
  [ -f "$d/sentinel.conf" ] && return 0
  cat > "$d/sentinel.conf" <<EOF
# $h — one of three Sentinels watching the yichuang Redis (quorum 2).
bind $a 127.0.0.1
port 26379
protected-mode no
daemonize no
pidfile $d/run/sentinel.pid
logfile $d/log/sentinel.log
dir $d/run
sentinel announce-ip $a
sentinel monitor yichuang $NET.21 6379 2
sentinel down-after-milliseconds yichuang 2000
sentinel failover-timeout yichuang 10000
sentinel parallel-syncs yichuang 1
EOF
}

redis_start() {
  local h=$1 d=$VAR/$1 p
  if p=$(pid_alive "$d/run/redis.spawn.pid"); then say "$h: redis already running (pid $p)"; return 0; fi
  redis_conf "$h"
  # A former primary comes back as a replica of the current one (Sentinel would also turn it).
  if [ "$h" != rd3 ] && [ -f "$VAR/rd3/sentinel.conf" ]; then
    local cur; cur=$(primary_ip || true)
    if [ -n "$cur" ] && [ "$cur" != "$(ip_of "$h")" ]; then
      sed -i '/^replicaof /d' "$d/redis.conf"; echo "replicaof $cur 6379" >> "$d/redis.conf"
    fi
  fi
  spawn "$h" "$d/log/redis.out" "$d/run/redis.spawn.pid" redis-server "$d/redis.conf"
  wait_for "$h redis" 20 "$d/log/redis.log" redis_ok "$h"
  say "$h: redis up ($(ip_of "$h"):6379, $(ns "$h" redis-cli -h "$(ip_of "$h")" role | head -n 1))"
}
redis_ok() { [ "$(ns "$1" redis-cli -h "$(ip_of "$1")" ping 2>/dev/null)" = PONG ]; }

sentinel_start() {
  local h=$1 d=$VAR/$1
  sentinel_conf "$h"
  spawn "$h" "$d/log/sentinel.out" "$d/run/sentinel.spawn.pid" redis-sentinel "$d/sentinel.conf"
  wait_for "$h sentinel" 20 "$d/log/sentinel.log" sentinel_ok "$h"
}
sentinel_ok() { ns "$1" redis-cli -h "$(ip_of "$1")" -p 26379 ping 2>/dev/null | grep -q PONG; }

# The primary's address as the first Sentinel that answers gives it.
primary_ip() {
  local h out
  for h in rd1 rd2 rd3; do
    out=$(redis-cli -h "$(ip_of "$h")" -p 26379 SENTINEL get-master-addr-by-name yichuang 2>/dev/null | head -n 1) || true
    [[ "$out" =~ ^10\.77\.0\.[0-9]+$ ]] && { echo "$out"; return 0; }
  done
  return 1
}
primary_host() {
  local ip h; ip=$(primary_ip) || return 1
  for h in rd1 rd2; do [ "$(ip_of "$h")" = "$ip" ] && { echo "$h"; return 0; }; done
  return 1
}

# ---------------------------------------------------------------- app hosts
write_app_conf() {
  local h=$1 d=$VAR/$1 spec=${YICHUANG_NOW:-} base=0 real=0 order
  mkdir -p "$d/run" "$d/log" "$d/nginx"
  if [ -n "$spec" ]; then
    base=$(date -d "$spec" +%s) || die "YICHUANG_NOW='$spec' is not a date"
    real=$(date +%s)
  fi
  # Each app host prefers "its" Galera node and falls back to the others in turn.
  case "$h" in
    app1) order="$NET.11:3306, $NET.12:3306, $NET.13:3306" ;;
    *)    order="$NET.12:3306, $NET.13:3306, $NET.11:3306" ;;
  esac
  (umask 077; cat > "$d/yichuang.conf" <<EOF
# yichuang.conf of app host $h — generated by ops/cluster.sh.
instance = cluster-$h
app_socket = $d/run/app.sock
app_board_socket = $d/run/board.sock
app_processes = ${YICHUANG_APP_PROCESSES:-1}
app_threads = ${YICHUANG_APP_THREADS:-16}
app_board_threads = 32
# Push: each app host publishes a change to both hosts' nginx (each holds its own
# subscribers: a screen may be on either host behind the balancer).
push_publisher = $(ip_of app1):8089, $(ip_of app2):8089
# Redis: whichever primary the Sentinels name (fcgi/kv.c); no fixed address.
redis_socket =
redis_sentinels = $NET.21:26379, $NET.22:26379, $NET.23:26379
redis_master_name = yichuang
# MariaDB: the Galera nodes, this host's own first (fcgi/db.c).
mysql_socket =
mysql_hosts = $order
mysql_user = yichuang
mysql_password = $(cat "$VAR/db.password")
mysql_db = yichuang
# Read your own writes across nodes: every read and transaction start waits for the node
# to have applied what the cluster committed before it (docs/API.md, "Several hosts").
mysql_wsrep_sync_wait = 1
public_base_url = http://$NET.40
sms_templates_dir = $ROOT/sms-templates
migrations_dir = $ROOT/sql/migrations
sms_provider = ${YICHUANG_SMS_PROVIDER:-log}
sms_log = $d/log/sms.log
key_file = $VAR/secret.key
result_key_file = $VAR/result-sign.key
sms_receipt_token = $(cat "$VAR/sms-receipt.token")
upload_dir = $VAR/uploads
clock_base = $base
clock_real = $real
clock_file = $VAR/clock
access_log = $d/log/access.log
metrics_listen = 127.0.0.1:9100
EOF
  [ -z "${YICHUANG_CONF_EXTRA:-}" ] || printf '# from YICHUANG_CONF_EXTRA\n%s\n' "$YICHUANG_CONF_EXTRA" >> "$d/yichuang.conf")
}

nginx_conf() {
  local h=$1 d=$VAR/$1
  render nginx/nginx.conf.in "$d/nginx/nginx.conf" USER_LINE='user root;' NGINX_DIR="$d/nginx" \
    LOG="$d/log" RUN="$d/run" CONF_DIR="$ROOT/nginx" SITE="$ROOT/nginx/site" PORT=8080 \
    SOCK="$d/run/app.sock" BOARD_SOCK="$d/run/board.sock" SIGNIN_RATE=600r/m SIGNIN_BURST=100 \
    TRACK_RATE=1200r/m TRACK_BURST=100 RECEIPT_RATE=600r/m RECEIPT_BURST=100 BOARD_POLLS=64 APP_TIMEOUT=35 \
    NCHAN=/usr/lib/nginx/modules/ngx_nchan_module.so PUSH_SOCK="$d/run/push.sock" PUSH_SUBS=256 \
    CONNECTIONS=4096 NOFILE=8256
  # The push publisher also on the host's address, for the other app host; only the app
  # hosts may publish.
  sed -i "s|listen unix:$d/run/push.sock;|listen unix:$d/run/push.sock;\n        listen $(ip_of "$h"):8089;\n        allow unix:;\n        allow $(ip_of app1);\n        allow $(ip_of app2);\n        deny all;|" "$d/nginx/nginx.conf"
  grep -q "listen $(ip_of "$h"):8089;" "$d/nginx/nginx.conf" || die "nginx/nginx.conf.in: the push publisher's listen line changed; ops/cluster.sh must follow"
  # Listen on the host's address; the client is the one haproxy names (X-Forwarded-For),
  # so per-address limits see citizens, not the balancer.
  sed -i "s|listen 127.0.0.1:8080;|listen $(ip_of "$h"):8080;\n        listen 127.0.0.1:8080;\n        set_real_ip_from $NET.40;\n        real_ip_header X-Forwarded-For;|" "$d/nginx/nginx.conf"
  grep -q "set_real_ip_from" "$d/nginx/nginx.conf" || die "nginx/nginx.conf.in: its listen line changed; ops/cluster.sh must follow"
}

app_ready() { [ -S "$VAR/$1/run/app.sock" ]; }
http_ok() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null | grep -q '^200$'; }

app_start() {
  local h=$1 d=$VAR/$1
  [ -x "$BUILD/yichuang-app" ] || die "$BUILD/yichuang-app is not built (make all)"
  if ! pid_alive "$d/run/app.pid" >/dev/null; then
    rm -f "$d/run/app.sock" "$d/run/board.sock"
    spawn "$h" "$d/log/app.log" "$d/run/app.pid" "$BUILD/yichuang-app" -c "$d/yichuang.conf"
    wait_for "$h app" 30 "$d/log/app.log" app_ready "$h"
  fi
  pid_alive "$d/run/worker.pid" >/dev/null ||
    spawn "$h" "$d/log/worker.log" "$d/run/worker.pid" "$BUILD/yichuang-worker" -c "$d/yichuang.conf"
}

app_stop() {
  local h=$1 d=$VAR/$1 f p i
  for f in app worker; do
    p=$(pid_alive "$d/run/$f.pid") || continue
    kill -TERM "$p" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
}

nginx_start() {
  local h=$1 d=$VAR/$1
  nginx_conf "$h"
  ns "$h" nginx -p "$d/nginx/" -e "$d/log/nginx-error.log" -c "$d/nginx/nginx.conf" -t -q \
    || { tail_log "$d/log/nginx-error.log"; die "$h: nginx.conf is invalid"; }
  ns "$h" nginx -p "$d/nginx/" -e "$d/log/nginx-error.log" -c "$d/nginx/nginx.conf" \
    || { tail_log "$d/log/nginx-error.log"; die "$h: nginx did not start"; }
  wait_for "$h nginx" 15 "$d/log/nginx-error.log" http_ok "http://$(ip_of "$h"):8080/api/v1/health"
  say "$h: nginx + app + worker ($(ip_of "$h"):8080)"
}

# ---------------------------------------------------------------- balancer
lb_start() {
  local d=$VAR/lb h
  mkdir -p "$d/run" "$d/log"
  {
    cat <<EOF
# The balancer of the yichuang cluster (ops/cluster.sh): HTTP on $NET.40:80, round robin over
# the app hosts whose GET /api/v1/health answers 200 (checked every second; out after 2
# failures, back after 2 successes).  A request that could not be sent is tried on the other.
global
    pidfile $d/run/haproxy.pid
    maxconn 4096
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    # An app host that went silent holds a request at most this long (the app answers
    # within its own bounded waits: a few seconds).  The board's long poll has its own.
    timeout server 12s
    retries 2
    option redispatch
    option forwardfor
    option http-server-close
    # No app host healthy: the API's error shape, not haproxy's page.
    errorfile 503 $d/503.http
frontend hall
    bind $NET.40:80
    acl board path_reg ^/api/v1/halls/[^/]+/board
    use_backend board if board
    default_backend apps
backend apps
    balance roundrobin
    option httpchk GET /api/v1/health
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
EOF
    for h in $APPS; do echo "    server $h $(ip_of "$h"):8080 check"; done
    cat <<EOF
backend board
    timeout server 40s
    balance roundrobin
    option httpchk GET /api/v1/health
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
EOF
    for h in $APPS; do echo "    server $h $(ip_of "$h"):8080 check"; done
  } > "$d/haproxy.cfg"
  local body='{"error":{"code":"UNAVAILABLE","message":"服务暂时不可用，请稍后再试"}}'
  printf 'HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 2\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$(printf '%s' "$body" | wc -c)" "$body" > "$d/503.http"
  haproxy -c -q -f "$d/haproxy.cfg" || die "haproxy.cfg is invalid"
  spawn lb "$d/log/haproxy.log" "$d/run/haproxy.spawn.pid" haproxy -db -f "$d/haproxy.cfg"
  wait_for "balancer" 20 "$d/log/haproxy.log" http_ok "http://$NET.40/api/v1/health"
  say "lb: haproxy on http://$NET.40/ → $APPS"
}

# ---------------------------------------------------------------- schema, once for the cluster
schema() {
  local pw; pw=$(cat "$VAR/db.password")
  # Accounts are replicated by Galera like the tables: made once, on db1.  The app hosts log
  # in from the private network; yichuang-admin on db1's own socket as localhost.
  db_sql db1 <<SQL
CREATE USER IF NOT EXISTS 'yichuang'@'$NET.%' IDENTIFIED BY '$pw';
ALTER USER 'yichuang'@'$NET.%' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'yichuang'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'yichuang'@'localhost' IDENTIFIED BY '$pw';
SQL
  (umask 077; cat > "$VAR/admin.conf" <<EOF
# yichuang-admin on db1, as the database superuser over its unix socket (ops/cluster.sh).
mysql_socket = $VAR/db1/run/mysql.sock
mysql_user = yichuang
mysql_password = $pw
mysql_db = yichuang
migrate_user = root
migrations_dir = $ROOT/sql/migrations
sms_templates_dir = $ROOT/sms-templates
key_file = $VAR/secret.key
result_key_file = $VAR/result-sign.key
upload_dir = $VAR/uploads
redis_sentinels = $NET.21:26379, $NET.22:26379, $NET.23:26379
EOF
  [ -n "${YICHUANG_NOW:-}" ] && printf 'clock_base = %s\nclock_real = %s\n' "$(date -d "$YICHUANG_NOW" +%s)" "$(date +%s)" >> "$VAR/admin.conf")
  "$BUILD/yichuang-admin" -c "$VAR/admin.conf" migrate sql/seed/demo.sql >"$VAR/migrate.log" 2>&1 \
    || { tail_log "$VAR/migrate.log"; die "yichuang-admin migrate failed"; }
  say "schema: $(grep -c '^applied ' "$VAR/migrate.log") migrations applied once, through db1"
  "$BUILD/yichuang-admin" -c "$VAR/admin.conf" seed-demo >>"$VAR/migrate.log" 2>&1 \
    || { tail_log "$VAR/migrate.log"; die "yichuang-admin seed-demo failed"; }
}

# ---------------------------------------------------------------- commands
cmd_up() {
  [ "$(id -u)" -eq 0 ] || die "needs root (ip netns)"
  local t0=$SECONDS h
  for x in ip mariadbd redis-server redis-sentinel haproxy rsync nginx; do
    command -v "$x" >/dev/null || die "$x is missing: run ops/deps.sh cluster"
  done
  [ -f "$GALERA" ] || die "no Galera provider at $GALERA (Debian package galera-4)"
  [ ! -d "$VAR/run" ] || die "var/cluster holds a single-host stack (ops/stack.sh instance 'cluster'): wipe it first"
  mkdir -p "$VAR/uploads"
  # Others may pass through (the mysql account reaches its nodes' folders), not list or read.
  chmod 711 "$VAR"
  make_secret "$VAR/db.password" 24
  make_secret "$VAR/secret.key" 32
  make_secret "$VAR/result-sign.key" 32
  make_secret "$VAR/sms-receipt.token" 32
  net_up
  say "network: $BR $NET.1/24, hosts $(for h in $HOSTS; do printf '%s=%s ' "$h" "$(ip_of "$h")"; done)"
  db_start db1 --wsrep-new-cluster
  db_start db2
  db_start db3
  redis_start rd1
  redis_start rd2
  for h in rd1 rd2 rd3; do sentinel_start "$h"; done
  schema
  for h in app1 app2; do write_app_conf "$h"; app_start "$h"; nginx_start "$h"; done
  # What a client of the cluster on this machine reads (tests, yichuang-admin): app1's view.
  cp "$VAR/app1/yichuang.conf" "$VAR/yichuang.conf"
  lb_start
  say "up in $((SECONDS - t0))s: http://$NET.40/  (redis primary $(primary_ip), galera size $(db_status db1 wsrep_cluster_size))"
}

cmd_down() {
  local h i
  for h in lb app1 app2; do kill_host_procs "$h" TERM; done
  sleep 0.5
  for h in $HOSTS; do kill_host_procs "$h" TERM; done
  for ((i = 0; i < 100; i++)); do
    local left=0
    for h in $HOSTS; do [ -n "$(ip netns pids "yc-$h" 2>/dev/null)" ] && left=1; done
    [ $left = 0 ] && break
    sleep 0.2
  done
  for h in $HOSTS; do kill_host_procs "$h" KILL; done
  sleep 0.2
  net_down
  rm -rf "$VAR"
  say "down: namespaces, links, processes and var/cluster removed"
}

cmd_status() {
  local rc=0 h
  for h in db1 db2 db3; do
    if db_synced "$h" 2>/dev/null; then printf '  %-5s mariadb Synced (size %s)\n' "$h" "$(db_status "$h" wsrep_cluster_size)"
    else printf '  %-5s mariadb down or not synced\n' "$h"; rc=3; fi
  done
  for h in rd1 rd2; do
    if redis_ok "$h"; then printf '  %-5s redis %s\n' "$h" "$(ns "$h" redis-cli -h "$(ip_of "$h")" role | head -n 1)"
    else printf '  %-5s redis down\n' "$h"; rc=3; fi
  done
  for h in rd1 rd2 rd3; do sentinel_ok "$h" && printf '  %-5s sentinel up\n' "$h" || { printf '  %-5s sentinel down\n' "$h"; rc=3; }; done
  for h in app1 app2; do
    if http_ok "http://$(ip_of "$h"):8080/api/v1/health"; then printf '  %-5s app healthy\n' "$h"
    else printf '  %-5s app not healthy\n' "$h"; rc=3; fi
  done
  http_ok "http://$NET.40/api/v1/health" && echo "  lb    serving" || { echo "  lb    not serving"; rc=3; }
  return $rc
}

cmd_kill() {
  local h=$1 d=$VAR/$1 p
  case "$h" in
    db1|db2|db3) p=$(pid_alive "$d/run/mysqld.pid") || die "$h: mariadbd is not running"; kill -KILL "$p" ;;
    rd1|rd2)     p=$(pid_alive "$d/run/redis.spawn.pid") || die "$h: redis is not running"; kill -KILL "$p" ;;
    *) die "kill: db1..3 or rd1..2" ;;
  esac
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  say "$h: killed (-9, pid $p)"
}

cmd_start() {
  case "$1" in
    db1|db2|db3) db_start "$1" ;;
    rd1|rd2)     redis_start "$1" ;;
    *) die "start: db1..3 or rd1..2" ;;
  esac
}

[ $# -ge 1 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
case "$1" in
  up)        cmd_up ;;
  down)      cmd_down ;;
  status)    cmd_status ;;
  kill)      known_host "${2:-}"; cmd_kill "$2" ;;
  start)     known_host "${2:-}"; cmd_start "$2" ;;
  cut)       known_host "${2:-}"; ip link set "yc-$2" down; say "$2: cut off" ;;
  mend)      known_host "${2:-}"; ip link set "yc-$2" up; say "$2: back on the network" ;;
  primary)   primary_host ;;
  sql)       known_host "${2:-}"; h=$2; shift 2; db_sql "$h" -e "$*" ;;
  app-stop)  known_host "${2:-}"; app_stop "$2" ;;
  app-start) known_host "${2:-}"; app_start "$2" ;;
  lb)        for h in ${2:-}; do [[ "$h" =~ ^app[12]$ ]] || die "lb: app hosts are app1 and app2"; done
             [ -n "${2:-}" ] || die "lb: name the app hosts"
             APPS=$2
             if p=$(pid_alive "$VAR/lb/run/haproxy.spawn.pid"); then
               kill -TERM "$p"; for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
             fi
             lb_start ;;
  *)         sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
