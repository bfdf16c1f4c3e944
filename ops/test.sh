#!/usr/bin/env bash
# ops/test.sh — what `make test` runs after building: a throwaway stack of its own
# (var/test, its own ports, so it runs beside `make run`), then the unit tests, the
# integration tests against that live stack and the browser tests in headless Chromium.
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
# YICHUANG_TESTS (space-separated: binary names such as it_queue or test_clock, "browser",
# "fuzz") runs only those; unset runs everything.
set -uo pipefail
cd "$(dirname "$0")/.."

INST=${YICHUANG_INSTANCE:-test}
export YICHUANG_INSTANCE=$INST
export YICHUANG_BUILD=${YICHUANG_BUILD:-build}
BUILD=$YICHUANG_BUILD
LOG=var/$INST-results
passed=0 failed=0 failures=()

if [ "$INST" != test ]; then        # make asan: its own ports beside run and test
  : "${YICHUANG_PORT:=18090}" "${YICHUANG_REDIS_PORT:=16390}" "${YICHUANG_MYSQL_PORT:=13390}"
  export YICHUANG_REDIS_PORT YICHUANG_MYSQL_PORT
fi
: "${YICHUANG_PORT:=18080}"
export YICHUANG_PORT
# The hall clock starts on a Monday at 09:30 whatever the real day and hour (any instance:
# make test and make asan alike); tests that need another instant move it themselves.
export YICHUANG_NOW=${YICHUANG_NOW:-2026-11-23T09:30:00+08:00}
# Sign-in throttling is tested on purpose by the tests that want it, not by accident.
export YICHUANG_SIGNIN_RATE=${YICHUANG_SIGNIN_RATE:-600r/m} YICHUANG_SIGNIN_BURST=${YICHUANG_SIGNIN_BURST:-50}
# So are the daily budgets of login codes (every test client is 127.0.0.1): it_sms_guard sets
# small ones for itself.
export YICHUANG_SMS_CODE_ADDRESS_DAY=${YICHUANG_SMS_CODE_ADDRESS_DAY:-100000}
export YICHUANG_SMS_CODE_HALL_DAY=${YICHUANG_SMS_CODE_HALL_DAY:-100000}
export YICHUANG_SMS_CODE_INSTANCE_DAY=${YICHUANG_SMS_CODE_INSTANCE_DAY:-100000}
export YICHUANG_BASE_URL=http://127.0.0.1:$YICHUANG_PORT
export YICHUANG_SCREENSHOTS=$PWD/var/$INST/screenshots

# The integration tests drive the stack (stop Redis, restart the app); start from nothing so
# what earlier runs left cannot make a test pass or fail.
bash ops/stack.sh wipe "$INST" >/dev/null 2>&1 || true
if ! bash ops/stack.sh up "$INST"; then
  echo "test: the $INST stack did not start"
  echo "0 passed, 1 failed"
  exit 1
fi
trap 'bash ops/stack.sh down "$INST" >/dev/null 2>&1' EXIT
mkdir -p "$LOG"

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
count_cmocka() {
  awk '/^\[  PASSED  \] [0-9]+/ { p += $4 } /^\[  FAILED  \] [0-9]+ test/ { f += $4 }
       END { print p + 0, f + 0 }' "$1"
}

wanted() { [ -z "${YICHUANG_TESTS:-}" ] || [[ " $YICHUANG_TESTS " == *" $1 "* ]]; }

run_c() {
  local kind=$1 bin=$2 name out p f rc
  name=$(basename "$bin")
  wanted "$name" || return 0
  out=$LOG/$name.log
  echo "== $kind $name"
  "$bin" >"$out" 2>&1; rc=$?
  read -r p f < <(count_cmocka "$out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before reporting
  cat "$out" | grep -E '^\[  (FAILED|ERROR|SKIPPED)|^\[  PASSED|: error:|ERROR' | head -20
  passed=$((passed + p)); failed=$((failed + f))
  [ "$f" -gt 0 ] && failures+=("$name")
}

for t in $(ls "$BUILD"/test/test_* 2>/dev/null); do run_c unit "$t"; done
for t in $(ls "$BUILD"/test/it_* 2>/dev/null); do run_c integration "$t"; done

# Browser tests: node's runner prints "# pass N" / "# fail N".
if wanted browser && [ -d test/browser ] && ls test/browser/*.test.mjs >/dev/null 2>&1; then
  echo "== browser"
  out=$LOG/browser.log
  (cd test/browser && node --test --test-concurrency=1 ./*.test.mjs) >"$out" 2>&1; rc=$?
  p=$(grep -E '^# pass [0-9]+' "$out" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -E '^# fail [0-9]+' "$out" | grep -oE '[0-9]+' | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  grep -E '^not ok|^# (pass|fail)' "$out" | head -20
  [ "$f" -gt 0 ] && { failures+=(browser); sed -n '1,200p' "$out" | grep -A20 '^not ok' | head -80; }
  passed=$((passed + p)); failed=$((failed + f))
fi

# A short fuzzing run of every parser target (make fuzz runs them longer).
if wanted fuzz && [ -n "${YICHUANG_FUZZ_SECONDS:-}" ] && ls build-fuzz/fuzz/fuzz_* >/dev/null 2>&1; then
  echo "== fuzz (${YICHUANG_FUZZ_SECONDS}s each)"
  out=$LOG/fuzz.log
  bash ops/fuzz.sh "$YICHUANG_FUZZ_SECONDS" >"$out" 2>&1
  grep -E '^fuzz ' "$out"
  read -r p f < <(tail -1 "$out" | awk '{print $1, $3}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
  [ "${f:-1}" -gt 0 ] && failures+=(fuzz)
fi

# Logs must never carry a full ID number or phone number.
leaks=$(grep -rEl '(^|[^0-9])(1[3-9][0-9]{9}|[1-9][0-9]{16}[0-9Xx])([^0-9]|$)' var/"$INST"/log 2>/dev/null | head -5)
if [ -n "$leaks" ]; then
  echo "== personal data found in logs: $leaks"
  failed=$((failed + 1)); failures+=(log-privacy)
else
  passed=$((passed + 1))
fi

# Under make asan the servers' own reports land in their logs once they stop.
bash ops/stack.sh down "$INST" >/dev/null 2>&1
san=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' var/"$INST"/log/*.log 2>/dev/null | head -5)
if [ -n "$san" ]; then
  echo "== sanitizer reports in: $san"; grep -hE -A8 'ERROR: (Address|Leak)Sanitizer|runtime error:' $san | head -60
  failed=$((failed + 1)); failures+=(sanitizers)
else
  passed=$((passed + 1))
fi

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]} (logs in $LOG/ and var/$INST/log/)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
