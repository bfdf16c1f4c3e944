# push.sh — `make bench` scenarios of push to screens and phones (issue 24, item 1), sourced
# by ops/bench.sh:
#
#   push_subscribers   PUSH_SUBSCRIBERS (10,000) Server-Sent Events subscriptions of the demo
#                      hall's board held at once by one epoll client (test/bench/sse_subs.c),
#                      spread over PUSH_ADDRESSES (20) loopback source addresses 127.0.0.2… —
#                      nginx lets one address hold YICHUANG_PUSH_SUBS (ops/bench.sh: 1,000).
#   health_no_push     GET /api/v1/health right before the subscribers connect: the rate
#                      without them, measured next to the one with them (the first health of
#                      the run is minutes earlier, and this machine's speed moves by a third
#                      in minutes).
#   health_push_held   GET /api/v1/health while they are held; target ≥ 80% of health_no_push.
#   push_call          then clerk1 calls the next number: how many of the held subscribers got
#                      the message, and p50/p99 ms from the call-next to each one's message
#                      (p99 over all held: one that never got it counts as never); target:
#                      99% within 1 s.
#   nginx memory       nginx's proportional set size (PSS: the shared memory of nchan counted
#                      once, not per worker) before the subscribers and while they are held,
#                      and the difference per held subscriber.
# Needs: jq and curl (as the other scenarios), the sse_subs binary ($YICHUANG_BUILD/bench/).

p_pss_kb() {   # nginx's master and workers of this instance: PSS summed (KiB)
  local pid total=0 master
  master=$(cat "var/$INST/run/nginx.pid" 2>/dev/null) || { echo 0; return; }
  for pid in $master $(pgrep -P "$master"); do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

p_login() {   # p_login USER [WINDOW] → token on stdout
  local body="{\"hall\":\"demo\",\"username\":\"$1\",\"password\":\"yichuang-demo\"${2:+,\"window\":$2}}"
  curl -s -X POST "$URL/api/v1/staff/login" -H 'Content-Type: application/json' -d "$body" |
    jq -r '.token // empty'
}

p_bench() {
  local n=${PUSH_SUBSCRIBERS:-10000} naddr=${PUSH_ADDRESSES:-20} bin=${YICHUANG_BUILD:-build}/bench/sse_subs
  local go=$OUT/push.go log=$OUT/push.out kiosk clerk pid line i pss0 pss1 held res
  [ -x "$bin" ] || { rows+=("push_subscribers|not built ($bin)|||||"); return; }
  kiosk=$(p_login kiosk1) clerk=$(p_login clerk1 1)
  [ -n "$kiosk" ] && [ -n "$clerk" ] || { rows+=("push_subscribers|sign-in failed|||||"); return; }
  # A number of category A waiting for window 1.
  curl -s -o /dev/null -X POST "$URL/api/v1/halls/demo/tickets" -H "Authorization: Bearer $kiosk" \
    -H 'Content-Type: application/json' -d '{"category":"A"}'
  rm -f "$go" "$log"
  scenario health_no_push health /api/v1/health
  pss0=$(p_pss_kb)
  "$bin" "$YICHUANG_PORT" /api/v1/push/halls/demo/board "$n" 2 "$naddr" "$go" \
    /api/v1/windows/1/call-next "$clerk" > "$log" 2>&1 &
  pid=$!
  for ((i = 0; i < 1800; i++)); do grep -q '^held' "$log" 2>/dev/null && break; sleep 0.1; done
  line=$(grep '^held' "$log" || echo "held 0 refused 0 failed $n")
  held=$(awk '{print $2}' <<<"$line")
  sleep 1
  pss1=$(p_pss_kb)
  rows+=("push_subscribers|$held held||||$line (target: $n)")
  printf '  %-22s %s\n' push_subscribers "$line"
  P_HELD=$held P_N=$n
  scenario health_push_held health_no_push /api/v1/health
  touch "$go"
  for ((i = 0; i < 100; i++)); do grep -q '^call' "$log" && break; sleep 0.1; done
  wait "$pid" 2>/dev/null
  res=$(grep '^call' "$log" || echo "call - received 0 of $held p50 -1 p99 -1 max -1 ms")
  P_RECEIVED=$(awk '{print $4}' <<<"$res") P_P50=$(awk '{print $8}' <<<"$res")
  P_P99=$(awk '{print $10}' <<<"$res") P_CALL=$(awk '{print $2}' <<<"$res")
  rows+=("push_call|$P_RECEIVED of $held|$P_P50|$P_P99||call-next answered $P_CALL; ms from the call to each subscriber's message")
  printf '  %-22s %s\n' push_call "$res"
  P_PSS0=$pss0 P_PSS1=$pss1
  P_PER=$(awk -v a="$pss0" -v b="$pss1" -v h="$held" 'BEGIN { if (h > 0) printf "%.1f", (b - a) / h; else print "-" }')
  rows+=("nginx_memory|${pss0} → ${pss1} KiB||||PSS before / with $held held: $P_PER KiB per subscriber")
  printf '  %-22s %s KiB → %s KiB, %s KiB per held subscriber\n' nginx_memory "$pss0" "$pss1" "$P_PER"
  # Window 1 free again for the queue scenarios.
  curl -s -o /dev/null -X POST "$URL/api/v1/windows/1/finish" -H "Authorization: Bearer $clerk" \
    -H 'Content-Type: application/json' -d '{"outcome":"no_show"}'
}

p_bench
