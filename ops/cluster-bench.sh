#!/usr/bin/env bash
# ops/cluster-bench.sh — throughput of the cluster (a running `make cluster`) through its
# balancer with two app hosts, then with one (haproxy over app1 only), in the same run, as
# `make bench` measures one host: the same wrk reporting (test/bench/report.lua), the read
# scenarios of ops/bench.sh and take-a-number as the kiosk.  Prints one table with each
# two-host figure as a ratio to the one-host figure.
#   BENCH_SECONDS (default 10) per scenario, BENCH_CONNECTIONS (default 64).
set -uo pipefail
cd "$(dirname "$0")/.."
URL=http://10.77.0.40 SECS=${BENCH_SECONDS:-10} CONNS=${BENCH_CONNECTIONS:-64}
OUT=var/cluster/bench; mkdir -p "$OUT"
bash ops/cluster.sh status >/dev/null || { echo "cluster-bench: the cluster is not up (make cluster)" >&2; exit 1; }

kiosk=$(curl -s -X POST "$URL/api/v1/staff/login" -H 'Content-Type: application/json' \
  -d '{"hall":"demo","username":"kiosk1","password":"yichuang-demo"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$kiosk" ] || { echo "cluster-bench: kiosk1 cannot sign in" >&2; exit 1; }
cat > "$OUT/take.in.lua" <<LUA
local token = "$kiosk"
LUA
cat >> "$OUT/take.in.lua" <<'LUA'
local cats = { "A", "B", "C", "D", "E", "F" }
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/api/v1/halls/demo/tickets", {
    ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
    '{"category":"' .. cats[n % #cats + 1] .. '"}')
end
LUA

declare -A RPS
run() {   # run LABEL NAME PATH [LUA] [SECONDS]
  local label=$1 name=$2 path=$3 lua=${4:-} secs=${5:-$SECS} script=$OUT/$2.lua res
  { [ -n "$lua" ] && cat "$lua"; cat test/bench/report.lua; } > "$script"
  res=$(wrk -t2 -c"$CONNS" -d"${secs}s" --latency -s "$script" "$URL$path" 2>&1 | grep '^RESULT')
  RPS[$label/$name]=$(sed -nE 's/.*rps=([0-9.]+).*/\1/p' <<<"$res")
  printf '  %-6s %-12s %s\n' "$label" "$name" "${res:-failed}"
}
# A hall day of its own per side (999 numbers a letter a day): the hall clock moved.
side() {   # side LABEL APPS DAY
  bash ops/cluster.sh lb "$2" >/dev/null
  printf '%s %s\n' "$(date -d "$3T10:00:00+08:00" +%s)" "$(date +%s)" > var/cluster/clock
  sleep 1.5
  # The first take of a new hall day rebuilds its lines (under a lock, bounded waits): done
  # once here, so that the rebuild is not what the scenario measures.
  curl -s -o /dev/null -X POST "$URL/api/v1/halls/demo/tickets" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $kiosk" -d '{"category":"A"}'
  run "$1" health /api/v1/health
  run "$1" categories /api/v1/halls/demo/categories
  run "$1" items "/api/v1/items?hall=demo"
  run "$1" take_number /api/v1/halls/demo/tickets "$OUT/take.in.lua" "$(( SECS < 4 ? SECS : 4 ))"
}
had_clock=; [ -f var/cluster/clock ] && { cp var/cluster/clock "$OUT/clock.before"; had_clock=1; }
echo "cluster-bench: ${SECS}s per scenario (take_number 4 s at most), $CONNS connections"
side one "app1" 2026-12-01
side two "app1 app2" 2026-12-02
bash ops/cluster.sh lb "app1 app2" >/dev/null
if [ -n "$had_clock" ]; then cp "$OUT/clock.before" var/cluster/clock; else rm -f var/cluster/clock; fi
{
  echo "| scenario | one app host req/s | two app hosts req/s | two / one |"
  echo "|---|---|---|---|"
  for s in health categories items take_number; do
    a=${RPS[one/$s]:-0} b=${RPS[two/$s]:-0}
    echo "| $s | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }') |"
  done
  echo
  echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk, haproxy, both app hosts, three Galera nodes and Redis share them."
} > "$OUT/table.md"
echo; cat "$OUT/table.md"
