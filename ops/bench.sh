#!/usr/bin/env bash
# ops/bench.sh — `make bench`: its own stack (var/bench), wrk against each scenario, one table.
# Every figure is also given as a ratio to a baseline measured in the same run, so the
# targets (docs: README "Performance") do not depend on the machine.
#   BENCH_SECONDS (default 10) per scenario, BENCH_CONNECTIONS (default 64).
set -uo pipefail
cd "$(dirname "$0")/.."
export YICHUANG_PORT=${YICHUANG_PORT:-18070} YICHUANG_REDIS_PORT=${YICHUANG_REDIS_PORT:-16370}
export YICHUANG_MYSQL_PORT=${YICHUANG_MYSQL_PORT:-13370}
export YICHUANG_SIGNIN_RATE=100000r/m YICHUANG_SIGNIN_BURST=100000
export YICHUANG_TRACK_RATE=6000000r/m YICHUANG_TRACK_BURST=100000
export YICHUANG_NOW=${YICHUANG_NOW:-2026-11-23T09:30:00+08:00}
INST=bench URL=http://127.0.0.1:$YICHUANG_PORT
SECS=${BENCH_SECONDS:-10} CONNS=${BENCH_CONNECTIONS:-64}
OUT=var/bench-results; mkdir -p "$OUT"

bash ops/stack.sh wipe $INST >/dev/null 2>&1
bash ops/stack.sh up $INST || exit 1
trap 'bash ops/stack.sh down $INST >/dev/null 2>&1' EXIT

app_rss_kb() {   # resident memory of every app process, summed
  local total=0 pid
  for pid in $(pgrep -f "yichuang-app -c $PWD/var/$INST/yichuang.conf"); do
    total=$((total + $(awk '/^VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)))
  done
  echo $total
}

declare -A RPS
rows=()
# scenario NAME BASELINE PATH [LUA]: runs wrk, records the row.
scenario() {
  local name=$1 base=$2 path=$3 lua=${4:-} script=$OUT/$1.lua res
  { [ -n "$lua" ] && cat "$lua"; cat test/bench/report.lua; } > "$script"
  res=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$script" "$URL$path" 2>&1 | grep '^RESULT')
  if [ -z "$res" ]; then rows+=("$name|failed to run|||||"); return; fi
  local rps p50 p99 err
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$res"); p50=$(sed -E 's/.*p50=([0-9.]+).*/\1/' <<<"$res")
  p99=$(sed -E 's/.*p99=([0-9.]+).*/\1/' <<<"$res"); err=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$res")
  RPS[$name]=$rps
  local ratio="—"
  [ -n "$base" ] && [ -n "${RPS[$base]:-}" ] && ratio=$(awk -v a="$rps" -v b="${RPS[$base]}" 'BEGIN { printf "%.0f%% of %s", 100 * a / b, "'"$base"'" }')
  rows+=("$name|$rps|$p50|$p99|$err|$ratio")
  printf '  %-22s %10s req/s  p50 %7s ms  p99 %7s ms  errors %s  %s\n' "$name" "$rps" "$p50" "$p99" "$err" "$ratio"
}

mem_before=$(app_rss_kb)
echo "bench: ${SECS}s per scenario, $CONNS connections, 2 wrk threads"
scenario static       ""      /css/app.css
scenario health       static  /api/v1/health
scenario categories   health  /api/v1/halls/demo/categories
scenario items        health  "/api/v1/items?hall=demo"
for extra in test/bench/scenarios/*.sh; do [ -f "$extra" ] && . "$extra"; done
mem_after=$(app_rss_kb)

{
  echo "| scenario | req/s | p50 ms | p99 ms | errors | ratio |"
  echo "|---|---|---|---|---|---|"
  for r in "${rows[@]}"; do echo "| ${r//|/ | } |"; done
  echo
  echo "App memory (RSS of all app processes): ${mem_before} KiB before, ${mem_after} KiB after."
} > "$OUT/table.md"
echo; cat "$OUT/table.md"
