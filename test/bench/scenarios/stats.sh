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
