# booking.sh — `make bench` scenario "booking_rush" (appointments, issue 6), sourced by
# ops/bench.sh: many citizens, few places.
#
# Set-up: manager1 gives one slot BENCH_BOOKING_PLACES places (default 50);
# BENCH_BOOKING_CITIZENS citizens (default 2000) are inserted into MariaDB and their sessions
# written straight into Redis (as fcgi/session.c keeps them: sess:<sha256 of the token>) —
# what is measured is booking, not signing in.  Then wrk sends POST /api/v1/appointments for
# that slot, each request as the next citizen with an ID number of its own (valid check
# digit).  Nearly every request is refused (409 SLOT_FULL, or ALREADY_BOOKED when a citizen
# comes round again): wrk counts those in its "errors" column, which here is expected.
#
# After the run the record is checked with SQL: no slot holds more live bookings than its
# capacity and no booking sits on a place above it.  That overbooking count must be 0; it is
# printed and added to the table as the row booking_rush_overbooked.
#   BENCH_BOOKING_SLOT (default B-20261124-1000: Tuesday, the day after the bench clock's day)

# SQL as the database superuser over the instance's socket, as ops/stack.sh does.
if [ "$(id -u)" -eq 0 ]; then BENCH_DBA=root; else BENCH_DBA=$(id -un); fi
BENCH_SQL=(mariadb --no-defaults --socket="$PWD/var/$INST/run/mysql.sock" -u"$BENCH_DBA"
  --batch --skip-column-names yichuang)

bench_booking_setup() {
  local slot=$1 places=$2 n=$3 mgr login tok ids i h lua
  rm -f "$OUT/booking_sessions.txt"

  login=$(curl -s -X POST "$URL/api/v1/staff/login" -H 'Content-Type: application/json' \
    -d '{"hall":"demo","username":"manager1","password":"yichuang-demo"}') || return 1
  mgr=$(jq -r '.token // empty' <<<"$login")
  [ -n "$mgr" ] || { echo "bench booking: manager1 could not sign in: $login" >&2; return 1; }
  curl -sf -X PATCH "$URL/api/v1/halls/demo/slots/$slot" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $mgr" -d "{\"capacity\":$places}" >/dev/null \
    || { echo "bench booking: slot $slot could not be set to $places places" >&2; return 1; }

  # n citizens in one statement, then their ids.
  "${BENCH_SQL[@]}" -e "SET SESSION max_recursive_iterations = $((n + 1));
    INSERT INTO citizens (created_at) WITH RECURSIVE s (k) AS
    (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < $n) SELECT NOW() FROM s" || return 1
  mapfile -t ids < <("${BENCH_SQL[@]}" -e "SELECT id FROM citizens ORDER BY id DESC LIMIT $n")
  [ "${#ids[@]}" -eq "$n" ] || return 1

  lua=$OUT/booking_rush.in.lua
  {
    echo "local slot = \"$slot\""
    echo "local tokens = {"
    for i in "${ids[@]}"; do
      tok="bench-citizen-$i-$RANDOM$RANDOM$RANDOM"
      h=$(printf %s "$tok" | sha256sum | cut -d' ' -f1)
      printf 'HSET sess:%s role citizen subject %s hall "" window 0 dept "" csrf x idle 3600\n' \
        "$h" "$i" >> "$OUT/booking_sessions.txt"
      echo "\"$tok\","
    done
    echo "}"
    cat test/bench/threads.lua
    cat <<'LUA'
-- An ID number of its own for citizen k (GB 11643 check digit).
local w = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local function idnum(k)
  local base = string.format("11010519%02d0101%03d", 50 + math.floor(k / 1000) % 50, k % 1000)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(base:sub(i, i)) * w[i] end
  local c = sum % 11 + 1
  return base .. ("10X98765432"):sub(c, c)
end

local n = 0
function request()
  -- Each thread walks the citizens from its own starting point.
  local k = ((tid or 0) * 997 + n) % #tokens + 1
  n = n + 1
  local body = string.format('{"hall":"demo","category":"%s","slot":"%s","name":"张三",'
    .. '"id_number":"%s"}', slot:sub(1, 1), slot, idnum(k))
  return wrk.format("POST", "/api/v1/appointments", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[k],
  }, body)
end
LUA
  } > "$lua"
  redis-cli -h 127.0.0.1 -p "$YICHUANG_REDIS_PORT" < "$OUT/booking_sessions.txt" >/dev/null \
    || return 1
  rm -f "$OUT/booking_sessions.txt"
  echo "$lua"
}

bench_booking_check() {
  local slot=$1 places=$2 over booked date cat start
  date="${slot:2:4}-${slot:6:2}-${slot:8:2}" cat=${slot:0:1} start="${slot:11:2}:${slot:13:2}"
  over=$("${BENCH_SQL[@]}" -e "SELECT COUNT(*) FROM (SELECT COUNT(*) AS n, MAX(a.seat) AS top,
      COALESCE(o.capacity, t.capacity) AS cap
    FROM appointments a JOIN appointment_slot_templates t ON t.hall = a.hall
      AND t.category = a.category AND t.start_time = a.start_time
    LEFT JOIN appointment_slot_overrides o ON o.hall = a.hall AND o.category = a.category
      AND o.start_time = a.start_time AND o.day = a.day
    WHERE a.status <> 'cancelled'
    GROUP BY a.hall, a.day, a.category, a.start_time, o.capacity, t.capacity
    HAVING n > cap OR top > cap) x")
  booked=$("${BENCH_SQL[@]}" -e "SELECT COUNT(*) FROM appointments WHERE hall = 'demo'
    AND day = '$date' AND category = '$cat' AND start_time = '$start' AND status <> 'cancelled'")
  printf '  %-22s %s of %s places booked; overbooked slots (SQL): %s\n' booking_rush \
    "$booked" "$places" "$over"
  rows+=("booking_rush_overbooked|—|—|—|$over|$booked/$places places booked")
  BENCH_OVERBOOKED=$over
  [ "$over" = 0 ]
}

BENCH_BOOKING_SLOT_ID=${BENCH_BOOKING_SLOT:-B-20261124-1000}
BENCH_BOOKING_N=${BENCH_BOOKING_CITIZENS:-2000}
BENCH_BOOKING_P=${BENCH_BOOKING_PLACES:-50}
if BENCH_BOOKING_LUA=$(bench_booking_setup "$BENCH_BOOKING_SLOT_ID" "$BENCH_BOOKING_P" \
    "$BENCH_BOOKING_N"); then
  scenario booking_rush health /api/v1/appointments "$BENCH_BOOKING_LUA"
  bench_booking_check "$BENCH_BOOKING_SLOT_ID" "$BENCH_BOOKING_P" \
    || echo "bench booking: OVERBOOKED — see the table" >&2
else
  echo "bench booking: set-up failed: booking_rush skipped" >&2
  rows+=("booking_rush|failed to run|||||")
fi
