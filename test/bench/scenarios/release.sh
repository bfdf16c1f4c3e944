# release.sh — `make bench` scenario "release" (issue 24, item 4), sourced by ops/bench.sh:
# a city's booking release.  A day's slots are released at appointment_release_time (08:00)
# on the day appointment_days_ahead (7) days before it, every slot of every hall at that one
# instant (docs/API.md, appointments: Rules); at 08:00 the citizens of a city try at once.
#
# Set-up (the bench's own database; nothing of the demo seed is used but the calendar):
#   four halls rel1…rel4 (a city centre, two districts, a town), each with categories A and B
#   and a slot plan of fifteen 30-minute slots (08:30–12:00, 13:30–17:30) of
#   BENCH_RELEASE_CAPACITY (25) places: 120 slots, 3,000 places on Tuesday 1 December 2026;
#   BENCH_RELEASE_CITIZENS (50,000) citizens inserted into MariaDB, their sessions written
#   straight into Redis (release_rush sessions), each with an ID number of its own.
# The release: the hall clock is put at 07:59:58 on Tuesday 24 November; the day is checked
# not to be listed yet, and at 08:00:00 (the clock runs on) that it is; then release_rush
# sends every citizen's POST /api/v1/appointments (citizen k: slot k·7919 mod 120), each on
# a connection of its own, BENCH_RELEASE_CONCURRENCY (1,000) at once, 60 s at most each.
#
# Rows: release (bookings a second = places booked / the time until the last of them was
# answered; p50 and p99 of every citizen's answer, from the connect), release_answers (booked + full = every citizen; no
# timeouts, no 5xx, no other answer), release_overbooked (MariaDB: slots holding more live
# bookings than places, or a place above the capacity; Redis, through the slot list's places
# left: a slot below 0, or places taken ≠ the bookings in MariaDB), release_fairness (per
# slot, pairs of a granted and a refused citizen where the refused one reached nginx first:
# nginx's msec − rt, to the ms; ties are not counted either way).
# Needs: the release_rush binary ($YICHUANG_BUILD/bench/), jq, redis-cli.

if [ "$(id -u)" -eq 0 ]; then REL_DBA=root; else REL_DBA=$(id -un); fi
REL_SQL=(mariadb --no-defaults --socket="$PWD/var/$INST/run/mysql.sock" -u"$REL_DBA"
  --batch --skip-column-names yichuang)
REL_N=${BENCH_RELEASE_CITIZENS:-50000}
REL_CAP=${BENCH_RELEASE_CAPACITY:-25}
REL_CONC=${BENCH_RELEASE_CONCURRENCY:-1000}
REL_DAY=2026-12-01 REL_DAYID=20261201
REL_AT=2026-11-24T08:00:00+08:00

rel_clock() {   # rel_clock RFC3339|"" — the hall clock file, as test/lib/http.c set_clock
  local f="var/$INST/clock"
  if [ -z "$1" ]; then rm -f "$f"; sleep 0.1; return; fi
  printf '%s %s\n' "$(date -d "$1" +%s)" "$(date +%s)" > "$f.tmp" && mv "$f.tmp" "$f"
  sleep 0.1
}

rel_listed() {   # slots of hall rel1, category A, on the release day (the public list)
  curl -s "$URL/api/v1/halls/rel1/slots?category=A&date=$REL_DAY" | jq '.slots | length'
}

rel_setup() {
  local bin=$1 h
  "${REL_SQL[@]}" -e "
    INSERT IGNORE INTO halls (code, name, address) VALUES
      ('rel1', '压测市民服务中心', '压测市中心大道1号'), ('rel2', '压测城北分中心', '压测城北路2号'),
      ('rel3', '压测城南分中心', '压测城南路3号'), ('rel4', '压测桥头便民服务站', '压测桥头镇4号');
    INSERT IGNORE INTO hall_hours (hall, seq, open_at, close_at)
      SELECT code, 1, '08:30:00', '12:00:00' FROM halls WHERE code LIKE 'rel_'
      UNION ALL SELECT code, 2, '13:30:00', '17:30:00' FROM halls WHERE code LIKE 'rel_';
    INSERT IGNORE INTO categories (hall, code, name, sort)
      SELECT code, 'A', '综合受理', 1 FROM halls WHERE code LIKE 'rel_'
      UNION ALL SELECT code, 'B', '不动产登记', 2 FROM halls WHERE code LIKE 'rel_';
    DELETE FROM appointment_slot_templates WHERE hall LIKE 'rel_';
    INSERT INTO appointment_slot_templates (hall, category, start_time, minutes, capacity)
      SELECT c.hall, c.code, ADDTIME(h.open_at, SEC_TO_TIME(s.seq * 1800)), 30, $REL_CAP
      FROM categories c JOIN hall_hours h ON h.hall = c.hall JOIN seq_0_to_7 s
        ON ADDTIME(h.open_at, SEC_TO_TIME(s.seq * 1800 + 1800)) <= h.close_at
      WHERE c.hall LIKE 'rel_';
    SET SESSION max_recursive_iterations = $((REL_N + 1));
    INSERT INTO citizens (created_at) WITH RECURSIVE s (k) AS
      (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < $REL_N) SELECT NOW() FROM s" || return 1
  "${REL_SQL[@]}" -e "SELECT id FROM citizens ORDER BY id DESC LIMIT $REL_N" > "$OUT/release.ids" ||
    return 1
  "$bin" sessions "$OUT/release.ids" "$OUT/release.tokens" > "$OUT/release.redis" || return 1
  redis-cli -h 127.0.0.1 -p "$YICHUANG_REDIS_PORT" < "$OUT/release.redis" > /dev/null || return 1
  rm -f "$OUT/release.redis"
  "${REL_SQL[@]}" -e "SELECT hall, CONCAT(category, '-$REL_DAYID-', TIME_FORMAT(start_time, '%H%i'))
    FROM appointment_slot_templates WHERE hall LIKE 'rel_' ORDER BY hall, category, start_time" \
    | tr '\t' ' ' > "$OUT/release.slots" || return 1
  # The new halls: every process reads the catalog again (catalog_changed's generation) and
  # the slot plans and hall hours once their copies age out (10 s).
  redis-cli -h 127.0.0.1 -p "$YICHUANG_REDIS_PORT" INCR yc:catalog:gen > /dev/null
  sleep 11
}

# Per slot: pairs (granted, refused) in which the refused citizen reached nginx strictly
# before the granted one.  Input lines: slot arrival-ms granted(1/0).
rel_fairness() {
  sort -k1,1n -k2,2n | awk '
    function flush_tie() { for (i = 1; i <= nt; i++) if (tg[i]) inv += rb; else rseen++; nt = 0 }
    $1 != slot { flush_tie(); if (NR > 1) pairs += g * r; slot = $1; g = r = rb = rseen = 0; last = "" }
    {
      if ($2 != last) { flush_tie(); rb = rseen; last = $2 }
      tg[++nt] = $3; if ($3) g++; else r++
    }
    END { flush_tie(); pairs += g * r; printf "%d %d\n", inv, pairs }'
}

rel_bench() {
  local bin=${YICHUANG_BUILD:-build}/bench/release_rush before after res log0 booked places
  local over redis_bad taken inv pairs frac cnt full other tmo failed secs p50 p99 rate h
  [ -x "$bin" ] || { rows+=("release|not built ($bin)|||||"); return; }
  rel_setup "$bin" || { rows+=("release|set-up failed|||||"); return; }
  places=$((120 * REL_CAP))
  rel_clock "2026-11-24T07:59:58+08:00"
  before=$(rel_listed)
  sleep 2.1   # the hall clock reaches 08:00:00
  after=$(rel_listed)
  printf '  %-22s rel1 A slots of %s listed at 07:59:58: %s; at 08:00: %s\n' release_instant \
    "$REL_DAY" "$before" "$after"
  log0=$(stat -c %s "var/$INST/log/nginx-access.log" 2>/dev/null || echo 0)
  res=$("$bin" rush "$YICHUANG_PORT" 20 "$REL_CONC" 60 "$OUT/release.tokens" "$OUT/release.slots" \
    "$OUT/release.out")
  printf '  %-22s %s\n' release_rush "$res"
  read -r cnt booked full other tmo failed secs p50 p99 < <(awk '{ print $2, $4, $6, $8, $10,
    $12, $14, $16, $18 }' <<<"$res")
  # Redis, through the public slot list (its places left are Redis's), while the day is
  # still within the bookable days: places taken per slot, and any below 0.
  taken=0 redis_bad=0
  for h in rel1 rel2 rel3 rel4; do
    read -r t b < <(curl -s "$URL/api/v1/halls/$h/slots?date=$REL_DAY" | jq -r \
      '[([.slots[] | .capacity - .remaining] | add // 0), ([.slots[] | select(.remaining < 0)] | length)] | @tsv')
    taken=$((taken + ${t:-0})) redis_bad=$((redis_bad + ${b:-1}))
  done
  rel_clock ""
  over=$("${REL_SQL[@]}" -e "SELECT COUNT(*) FROM (SELECT COUNT(*) AS n, MAX(a.seat) AS top,
      MAX(t.capacity) AS cap
    FROM appointments a JOIN appointment_slot_templates t ON t.hall = a.hall
      AND t.category = a.category AND t.start_time = a.start_time
    WHERE a.hall LIKE 'rel_' AND a.day = '$REL_DAY' AND a.status <> 'cancelled'
    GROUP BY a.hall, a.category, a.start_time HAVING n > cap OR top > cap) x")
  local indb
  indb=$("${REL_SQL[@]}" -e "SELECT COUNT(*) FROM appointments WHERE hall LIKE 'rel_'
    AND day = '$REL_DAY' AND status <> 'cancelled'")
  [ "$taken" = "$indb" ] || redis_bad=$((redis_bad + 1))
  # Bookings a second: places booked / the time from the first request to the last 201.
  local lastb
  lastb=$(awk '$3 == 201 && $7 > m { m = $7 } END { print m + 0 }' "$OUT/release.out")
  rate=$(awk -v b="$booked" -v ms="$lastb" 'BEGIN { if (ms > 0) printf "%.1f", 1000 * b / ms; else print 0 }')
  rows+=("release|$rate|$p50|$p99|$((other + tmo + failed))|bookings/s: $booked of $places places booked within $lastb ms; all $cnt citizens answered in ${secs} s ($(awk -v n="$cnt" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')/s, $REL_CONC connections at once; p50/p99 over every answer); listed at 07:59:58: $before slots, at 08:00: $after")
  rows+=("release_answers|—|—|—|$((other + tmo + failed))|$booked booked + $full full of $cnt citizens; other $other, timeouts $tmo, no answer $failed")
  rows+=("release_overbooked|—|—|—|$((over + redis_bad))|MariaDB: $over slots over capacity, $indb bookings; Redis: $taken places taken, $redis_bad disagreements")
  # Fairness: the arrival at nginx (msec − rt) of each citizen's request, by its request id.
  tail -c +"$((log0 + 1))" "var/$INST/log/nginx-access.log" |
    jq -r 'select(.uri == "/api/v1/appointments" and .rid != "") | "\(.rid) \(.msec) \(.rt)"' \
    2>/dev/null | awk '{ printf "%s %.0f\n", $1, ($2 - $3) * 1000 }' > "$OUT/release.arrivals"
  read -r inv pairs < <(awk 'NR == FNR { at[$1] = $2; next }
      ($3 == 201 || $4 == "SLOT_FULL") && ($5 in at) { print $2, at[$5], ($3 == 201) }' \
      "$OUT/release.arrivals" "$OUT/release.out" | rel_fairness)
  frac=$(awk -v i="${inv:-0}" -v p="${pairs:-0}" 'BEGIN { if (p > 0) printf "%.4f", 100 * i / p; else print "-" }')
  rows+=("release_fairness|—|—|—|${inv:-?}|$inv of $pairs (granted, refused) pairs of a slot inverted: $frac% (refused one reached nginx first, to the ms)")
  printf '  %-22s %s booked/s, p50 %s ms, p99 %s ms; overbooked %s (SQL) %s (Redis); inversions %s of %s (%s%%)\n' \
    release "$rate" "$p50" "$p99" "$over" "$redis_bad" "$inv" "$pairs" "$frac"
  REL_BOOKED=$booked REL_PLACES=$places REL_FULL=$full REL_CNT=$cnt REL_BAD=$((other + tmo + failed))
  REL_OVER=$((over + redis_bad)) REL_FRAC=$frac REL_RATE=$rate REL_P50=$p50 REL_P99=$p99
  REL_BEFORE=$before REL_AFTER=$after
}

rel_bench
