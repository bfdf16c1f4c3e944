# stats.sh — `make bench` scenario "stats_day" (issue 9), sourced by ops/bench.sh: the hall
# manager's figures, GET /api/v1/halls/demo/stats, over a busy day.
#
# Set-up: stats-day.sql writes one day (2026-11-20, before the bench clock's day so no other
# scenario's tickets meet it) of 5,000 tickets, their reviews and 500 cases into MariaDB as
# the database superuser; manager1 signs in.  wrk then asks for that day's figures as the
# manager (bearer token).  Target: well under a second per call (see p50/p99).
#   BENCH_STATS_DAY (default 2026-11-20)

if [ "$(id -u)" -eq 0 ]; then BENCH_STATS_DBA=root; else BENCH_STATS_DBA=$(id -un); fi
BENCH_STATS_DAY=${BENCH_STATS_DAY:-2026-11-20}

bench_stats_setup() {
  local login
  { echo "SET @day = '$BENCH_STATS_DAY';"; cat test/bench/scenarios/stats-day.sql; } |
    mariadb --no-defaults --socket="$PWD/var/$INST/run/mysql.sock" -u"$BENCH_STATS_DBA" \
      yichuang >/dev/null || return 1
  login=$(curl -s -X POST "$URL/api/v1/staff/login" -H 'Content-Type: application/json' \
    -d '{"hall":"demo","username":"manager1","password":"yichuang-demo"}') || return 1
  jq -r '.token // empty' <<<"$login"
}

BENCH_STATS_TOKEN=$(bench_stats_setup)
if [ -n "$BENCH_STATS_TOKEN" ]; then
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$BENCH_STATS_TOKEN" > "$OUT/stats_day.in.lua"
  scenario stats_day health "/api/v1/halls/demo/stats?from=$BENCH_STATS_DAY&to=$BENCH_STATS_DAY" \
    "$OUT/stats_day.in.lua"
else
  echo "bench stats: the day could not be generated or manager1 could not sign in: skipped" >&2
  rows+=("stats_day|failed to run|||||")
fi

# ---- Statistics at city scale (issue 24, item 5).
#   stats_city         30 days of a city (stats-city.sql: 150,000 tickets, 20,000 cases, all
#                      on hall demo's dashboard — the heaviest one hall could carry) answered
#                      to 16 managers at once, each asking for the month's figures again as
#                      soon as answered (wrk -c16).  Target: p99 ≤ 300 ms.  The first call
#                      (no copy yet: the whole month worked out, its days packed unless the
#                      worker's job stats-days got there first) is timed on its own too, and
#                      the first call of another period of the month (its days packed).
#   dashboard_city     the same 16 managers refreshing the whole dashboard as dashboard.js
#                      does (its eight calls in turn: the figures, overdue cases, open
#                      rectifications, overdue waivers, satisfaction, complaints, staff,
#                      consult referrals) flat out; p99 over all eight, and per route from
#                      nginx's log (request time).
#   health_dashboards  GET /health (64 clients) while the 16 managers refresh the dashboard
#                      as often as the page does (every 10 s, its push-driven refresh:
#                      test/bench/pace.lua, 12.8 requests a second); target ≥ 80% of
#                      health_no_dashboards, GET /health measured right before without them
#                      (next to it in time: this machine's speed moves by a third in minutes).
#                      (dashboard_city above is the same flat out: what the eight calls cost.)
#   BENCH_STATS_CITY_FROM (default 2026-10-19: 30 days that end before stats_day's day)
BENCH_STATS_CITY_FROM=${BENCH_STATS_CITY_FROM:-2026-10-19}

bench_stats_city() {
  local from=$BENCH_STATS_CITY_FROM to t0 t1 i tok lua dash log0 res first
  to=$(date -d "$from + 29 days" +%F)
  t0=$(date +%s%3N)
  { echo "SET @from = '$from';"; cat test/bench/scenarios/stats-city.sql; } |
    mariadb --no-defaults --socket="$PWD/var/$INST/run/mysql.sock" -u"$BENCH_STATS_DBA" \
      yichuang >/dev/null || { rows+=("stats_city|set-up failed|||||"); return; }
  t1=$(date +%s%3N)
  printf '  %-22s 150,000 tickets and 20,000 cases of %s … %s written in %d ms\n' stats_city_load \
    "$from" "$to" "$((t1 - t0))"
  lua=$OUT/stats_city.in.lua dash=$OUT/dashboard_city.in.lua
  {
    echo "local tokens = {"
    for i in $(seq 16); do
      tok=$(curl -s -X POST "$URL/api/v1/staff/login" -H 'Content-Type: application/json' \
        -d '{"hall":"demo","username":"manager1","password":"yichuang-demo"}' | jq -r '.token // empty')
      [ -n "$tok" ] || { rows+=("stats_city|manager1 could not sign in|||||"); return; }
      echo "\"$tok\","
    done
    echo "}"
    echo "local from, to = \"$from\", \"$to\""
    cat test/bench/threads.lua
    cat <<'LUA'
local n = 0
local function as(k, path)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[k] })
end
LUA
  } > "$lua.head"
  { cat "$lua.head"; cat <<'LUA'
function request()
  n = n + 1
  return as(((tid or 0) * 8 + n) % #tokens + 1, "/api/v1/halls/demo/stats?from=" .. from .. "&to=" .. to)
end
LUA
  } > "$lua"
  { cat "$lua.head"; cat <<'LUA'
local routes = {
  "/api/v1/halls/demo/stats?from=%s&to=%s",
  "/api/v1/cases?overdue=1&per_page=12",
  "/api/v1/halls/demo/rectifications?status=open&limit=13",
  "/api/v1/case-waivers?overdue=1&limit=20",
  "/api/v1/halls/demo/satisfaction?from=%s&to=%s",
  "/api/v1/halls/demo/complaints?status=open&limit=50",
  "/api/v1/halls/demo/staff",
  "/api/v1/consult/referrals",
}
function request()
  n = n + 1
  local r = routes[(n - 1) % #routes + 1]
  return as(((tid or 0) * 8 + math.floor((n - 1) / #routes)) % #tokens + 1, r:format(from, to))
end
LUA
  } > "$dash"
  # The first call: nothing kept yet, the whole month worked out.
  first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $(sed -n 2p "$lua.head" | tr -d '",')" \
    "$URL/api/v1/halls/demo/stats?from=$from&to=$to")
  printf '  %-22s %s s (status, time: the month worked out, nothing kept yet)\n' stats_city_first "$first"
  STATS_CITY_FIRST_MS=$(awk '{ printf "%.0f", $2 * 1000 }' <<<"$first")
  # The first call of another period of those days (from+1 … to): no process has a copy of
  # it, and its days are packed now (stats_ticket_days, as the worker's job stats-days packs
  # every ended day) — a manager's first look at a past month.
  first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $(sed -n 2p "$lua.head" | tr -d '",')" \
    "$URL/api/v1/halls/demo/stats?from=$(date -d "$from + 1 day" +%F)&to=$to")
  printf '  %-22s %s s (status, time: another period of the month, its days packed)\n' \
    stats_city_first_packed "$first"
  rows+=("stats_city_first_packed|—|—|$(awk '{ printf "%.0f", $2 * 1000 }' <<<"$first")|0|the first call of a period, its days packed (ms)")
  CONNS_SAVED=$CONNS CONNS=16
  # Both app processes make their copy first (2 s, not counted): a cold process's first
  # callers wait for its one computation, which the first call above already shows.
  wrk -t2 -c16 -d2s -s "$lua" "$URL/" >/dev/null 2>&1
  scenario stats_city health "/api/v1/halls/demo/stats?from=$from&to=$to" "$lua"
  log0=$(stat -c %s "var/$INST/log/nginx-access.log" 2>/dev/null || echo 0)
  scenario dashboard_city health /api/v1/health "$dash"
  # Per route (nginx's request time, ms): p99 of each of the eight calls in that run.
  STATS_DASH_ROUTES=$(tail -c +"$((log0 + 1))" "var/$INST/log/nginx-access.log" |
    jq -r 'select(.uri | startswith("/api/v1/")) | "\(.uri) \(.rt)"' 2>/dev/null |
    sed -E 's#/api/v1/halls/demo/#/halls/{hall}/#; s#/api/v1/#/#' | sort -k1,1 -k2,2n |
    awk '{ v[$1, ++n[$1]] = $2 } END { for (u in n) { i = int(n[u] * 0.99 + 0.5); if (i < 1) i = 1;
      printf "%s p99 %.0f ms; ", u, v[u, i] * 1000 } }')
  printf '  %-22s %s\n' dashboard_routes "$STATS_DASH_ROUTES"
  rows+=("dashboard_city_routes|—|—|—||p99 per route (nginx): $STATS_DASH_ROUTES")
  CONNS=$CONNS_SAVED
  # Health while the 16 managers refresh the dashboard as the page does at most: every 10 s
  # (PUSH_GAP_MS, after a change in the hall; else every 60 s): 16 × 8 calls / 10 s.
  scenario health_no_dashboards health /api/v1/health
  { printf 'pace_per_s = 12.8\npace_threads = 2\n'; cat "$dash" test/bench/pace.lua test/bench/report.lua; } \
    > "$OUT/dashboard_paced.lua"
  wrk -t2 -c16 -d"$((SECS + 2))s" -s "$OUT/dashboard_paced.lua" "$URL/" > "$OUT/dashboard_paced.out" 2>&1 &
  local wpid=$!
  sleep 1
  scenario health_dashboards health_no_dashboards /api/v1/health
  wait "$wpid"
  res=$(grep '^RESULT' "$OUT/dashboard_paced.out")
  printf '  %-22s %s\n' dashboard_paced "$res"
  rows+=("dashboard_paced|$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$res")|$(sed -E 's/.*p50=([0-9.]+).*/\1/' <<<"$res")|$(sed -E 's/.*p99=([0-9.]+).*/\1/' <<<"$res")|$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$res")|16 managers, the dashboard every 10 s each, during health_dashboards")
  rm -f "$lua.head"
}

bench_stats_city
