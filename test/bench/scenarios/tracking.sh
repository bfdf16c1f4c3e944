# tracking.sh — `make bench` scenarios for case tracking (issue 8), sourced by ops/bench.sh.
# A real case is created first (a clerk accepts one through POST /cases), so the lookups and
# QR images below measure the real work: the token's hash looked up in case_tracking and the
# case rendered, or the QR code encoded and compressed as a PNG.
#   track_lookup   GET /api/v1/track/{token}          (the tracking page's poll)
#   track_qr_png   GET /api/v1/track/{token}/qr.png   (rendered every time: no If-None-Match)
#   track_qr_svg   GET /api/v1/track/{token}/qr.svg
# The per-client rate limit on /api/v1/track/ is lifted for the bench (YICHUANG_TRACK_RATE).

bench_track_token() {
  local login tok item body
  login=$(curl -s -X POST "$URL/api/v1/staff/login" -H 'Content-Type: application/json' \
    -d '{"hall":"demo","username":"clerk1","password":"yichuang-demo","window":1}') || return 1
  tok=$(jq -r '.token // empty' <<<"$login")
  [ -n "$tok" ] || { echo "bench tracking: clerk1 could not sign in: $login" >&2; return 1; }
  # The first item of the demo hall whose kind is "promised", with every material handed in.
  item=$(curl -s "$URL/api/v1/items?hall=demo" | jq -c \
    '[.items[] | select(.kind == "promised")][0] // .items[0] | {id, m: [.materials[].code]}')
  body=$(jq -cn --argjson it "$item" '{item: $it.id, materials: $it.m, delivery: "pickup",
    applicant: {name: "张三", id_number: "11010519491231002X", phone: "13800138000"}}')
  curl -s -X POST "$URL/api/v1/cases" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $tok" -H "Idempotency-Key: bench-tracking-1" -d "$body" \
    | jq -r '.case.track_token // empty'
}

BENCH_TRACK_TOKEN=$(bench_track_token)
if [ -n "$BENCH_TRACK_TOKEN" ]; then
  scenario track_lookup  health       "/api/v1/track/$BENCH_TRACK_TOKEN"
  scenario track_qr_png  health       "/api/v1/track/$BENCH_TRACK_TOKEN/qr.png"
  scenario track_qr_svg  track_qr_png "/api/v1/track/$BENCH_TRACK_TOKEN/qr.svg"
else
  echo "bench tracking: no case could be created (POST /cases): tracking scenarios skipped" >&2
  rows+=("track_lookup|failed to run|||||" "track_qr_png|failed to run|||||")
fi
