#!/usr/bin/env bash
# ops/test.sh — what `make test` runs after building: a throwaway stack of its own
# (var/test, its own ports, so it runs beside `make run`), then the unit tests, the
# integration tests against that live stack and the browser tests in headless Chromium.
#
# Ends with one line "N passed, N failed, N skipped" (every skipped test is named above it)
# and exits non-zero on any failure.  What counts as a failure:
#   - a failed test, or a test binary that crashes or exits non-zero;
#   - a test binary (or the browser run, or fuzzing) that outlives its time limit: it is
#     killed with everything it started, and named ("TIMED OUT", with the test it was in);
#   - a skipped test that test/skips.txt does not list (binary | test | reason);
#   - a binary named in YICHUANG_TESTS that does not exist;
#   - a full ID number or phone number in the servers' logs;
#   - with YICHUANG_SANITIZERS=1 (`make asan`): a sanitizer report in the servers' logs, or
#     servers that were not built with the sanitizers.
#
# YICHUANG_TESTS (space-separated: binary names such as it_queue or test_clock, "browser",
#   "fuzz", "cluster") runs only those; unset runs everything.
# YICHUANG_BROWSER (space-separated file names without .test.mjs, e.g. "queue tracking")
#   runs only those browser files.
# Time limits, in seconds: YICHUANG_TIMEOUT_UNIT (60), YICHUANG_TIMEOUT_IT (300, each
#   integration binary), YICHUANG_TIMEOUT_BROWSER (900, the whole browser run), twice that
#   under the sanitizers; fuzzing gets its seconds per target times the targets, plus 120.
set -uo pipefail
cd "$(dirname "$0")/.."

INST=${YICHUANG_INSTANCE:-test}
export YICHUANG_INSTANCE=$INST
export YICHUANG_BUILD=${YICHUANG_BUILD:-build}
BUILD=$YICHUANG_BUILD
LOG=var/$INST-results
SKIPS=test/skips.txt
slow=1; [ "${YICHUANG_SANITIZERS:-0}" = 1 ] && slow=2     # sanitized code runs slower
# The font libraries' own caches live until exit (ops/lsan.supp): not leaks of ours.
[ "${YICHUANG_SANITIZERS:-0}" = 1 ] && export LSAN_OPTIONS="suppressions=$PWD/ops/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
T_UNIT=${YICHUANG_TIMEOUT_UNIT:-$((60 * slow))} T_IT=${YICHUANG_TIMEOUT_IT:-$((300 * slow))}
T_BROWSER=${YICHUANG_TIMEOUT_BROWSER:-$((900 * slow))}
passed=0 failed=0 skipped=0 failures=() skip_lines=()

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
# The worker runs with a short lease: an outbox row it claimed is any worker's again 4 s
# later (the lease is never shorter than 3 × sms_timeout_ms + 1 s), so a test that waits a
# few seconds waits past several leases (it_outbox).  Lines given by the caller come last
# and win.
lease_conf=$'sms_lease_seconds = 4\nsms_timeout_ms = 1000'
export YICHUANG_CONF_EXTRA="$lease_conf${YICHUANG_CONF_EXTRA:+
$YICHUANG_CONF_EXTRA}"

# The integration tests drive the stack (stop Redis, restart the app); start from nothing so
# what earlier runs left cannot make a test pass or fail.
bash ops/stack.sh wipe "$INST" >/dev/null 2>&1 || true
if ! bash ops/stack.sh up "$INST"; then
  echo "test: the $INST stack did not start"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
trap 'bash ops/stack.sh down "$INST" >/dev/null 2>&1' EXIT
mkdir -p "$LOG"
rm -f "$LOG"/*.log

wanted() { [ -z "${YICHUANG_TESTS:-}" ] || [[ " $YICHUANG_TESTS " == *" $1 "* ]]; }

# The reason test/skips.txt gives for skipping BINARY's TEST (exit 1: not listed).
# Lines: "binary | test | reason"; '#' starts a comment.
skip_reason() {
  [ -f "$SKIPS" ] || return 1
  awk -F'|' -v b="$1" -v t="$2" '
    { sub(/#.*/, "") }
    NF >= 3 { for (i = 1; i <= NF; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i)
              if ($1 == b && $2 == t && $3 != "") { print $3; found = 1; exit } }
    END { exit !found }' "$SKIPS"
}

# Each skipped test of BINARY: allowed (counted, named) or a failure.
count_skips() {
  local bin=$1 t why; shift
  for t in "$@"; do
    if why=$(skip_reason "$bin" "$t"); then
      skipped=$((skipped + 1)); skip_lines+=("skipped: $bin $t — $why")
    else
      failed=$((failed + 1)); failures+=("$bin:$t(skipped)")
      echo "   $bin $t was SKIPPED, and $SKIPS does not allow it"
    fi
  done
}

# After a binary that failed or ran out of time: put the stack back the way the next one
# expects it (services a test stopped, the hall clock a test moved).
heal() {
  rm -f "var/$INST/clock"
  bash ops/stack.sh up "$INST" >/dev/null 2>&1 || echo "   the $INST stack could not be made whole again"
}

# cmocka prints "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s)" and "[  SKIPPED ] NAME".
count_cmocka() {
  awk '/^\[  PASSED  \] [0-9]+/ { p += $4 } /^\[  FAILED  \] [0-9]+ test/ { f += $4 }
       END { print p + 0, f + 0 }' "$1"
}
cmocka_skips() {
  sed -n 's/^\[  SKIPPED \] \([A-Za-z0-9_]*\)$/\1/p' "$1" | sort -u
}
# The test a killed binary was in: the last one started and not finished.
cmocka_current() {
  awk '/^\[ RUN      \] / { t = $4 } /^\[       OK \] |^\[  FAILED  \] [A-Za-z_]|^\[  SKIPPED \] [A-Za-z_]/ { t = "" }
       END { print t }' "$1"
}

# timeout(1) says 124 when its TERM ended the command, 137 when KILL had to; a command
# killed otherwise says 137 too, so the time taken decides.
timed_out() { { [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; } && [ $((SECONDS - $2)) -ge "$3" ]; }

run_c() {
  local kind=$1 bin=$2 limit=$3 name out p f rc t0
  name=$(basename "$bin")
  wanted "$name" || return 0
  out=$LOG/$name.log
  echo "== $kind $name"
  t0=$SECONDS
  timeout -k 10 "$limit" "$bin" >"$out" 2>&1; rc=$?
  read -r p f < <(count_cmocka "$out")
  grep -E '^\[  (FAILED|ERROR)|^\[  PASSED|: error:|ERROR' "$out" | head -20
  if timed_out "$rc" "$t0" "$limit"; then
    echo "   $name TIMED OUT after ${limit}s (in: $(cmocka_current "$out" | grep . || echo 'its set-up')): killed"
    f=$((f + 1)); failures+=("$name(timeout)")
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "   $name exited with status $rc before reporting a failure"
    f=1; failures+=("$name")
  elif [ "$f" -gt 0 ]; then
    failures+=("$name")
  fi
  passed=$((passed + p)); failed=$((failed + f))
  mapfile -t sk < <(cmocka_skips "$out")
  [ ${#sk[@]} -eq 0 ] || count_skips "$name" "${sk[@]}"
  [ "$rc" -eq 0 ] || [ "$kind" = unit ] || heal
}

# Every binary asked for by name must exist: a list that names nothing must not pass.
for t in ${YICHUANG_TESTS:-}; do
  case "$t" in
    browser|fuzz|cluster) ;;
    *) [ -x "$BUILD/test/$t" ] || { echo "== $t: no such test binary in $BUILD/test/"; failed=$((failed + 1)); failures+=("$t(missing)"); } ;;
  esac
done

for t in $(ls "$BUILD"/test/test_* 2>/dev/null); do run_c unit "$t" "$T_UNIT"; done
for t in $(ls "$BUILD"/test/it_* 2>/dev/null); do run_c integration "$t" "$T_IT"; done

# Browser tests: node's runner prints TAP, "# pass N" / "# fail N" / "# skipped N", and
# "ok N - title # SKIP" for a skipped test.
if wanted browser && [ -d test/browser ] && ls test/browser/*.test.mjs >/dev/null 2>&1; then
  files=()
  if [ -n "${YICHUANG_BROWSER:-}" ]; then
    for b in $YICHUANG_BROWSER; do
      if [ -f "test/browser/$b.test.mjs" ]; then files+=("./$b.test.mjs")
      else echo "== browser: no test/browser/$b.test.mjs"; failed=$((failed + 1)); failures+=("browser:$b(missing)"); fi
    done
  else
    for b in test/browser/*.test.mjs; do files+=("./${b##*/}"); done
  fi
  if [ ${#files[@]} -gt 0 ]; then
    echo "== browser (${files[*]})"
    out=$LOG/browser.log
    t0=$SECONDS
    (cd test/browser && exec timeout -k 10 "$T_BROWSER" node --test --test-concurrency=1 "${files[@]}") >"$out" 2>&1; rc=$?
    p=$(grep -E '^# pass [0-9]+' "$out" | grep -oE '[0-9]+' | tail -1)
    f=$(grep -E '^# fail [0-9]+' "$out" | grep -oE '[0-9]+' | tail -1)
    p=${p:-0}; f=${f:-0}
    grep -E '^not ok|^# (pass|fail|skipped)' "$out" | head -20
    if timed_out "$rc" "$t0" "$T_BROWSER"; then
      echo "   browser TIMED OUT after ${T_BROWSER}s (in: $(grep -E '^# Subtest: ' "$out" | tail -1 | cut -c13-)): killed"
      f=$((f + 1)); failures+=("browser(timeout)")
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      f=1; failures+=(browser)
    elif [ "$f" -gt 0 ]; then
      failures+=(browser)
    fi
    [ "$f" -gt 0 ] && grep -A20 '^not ok' "$out" | head -80
    passed=$((passed + p)); failed=$((failed + f))
    mapfile -t sk < <(sed -n 's/^ *ok [0-9][0-9]* - \(.*\) # SKIP.*$/\1/p' "$out" | sort -u)
    [ ${#sk[@]} -eq 0 ] || count_skips browser "${sk[@]}"
    [ "$rc" -eq 0 ] || heal
  fi
fi

# The several-host deployment in its short form (make cluster-test runs the long one): a
# Galera cluster, Redis with Sentinel and two app hosts behind haproxy, each host a network
# namespace (root only), a Galera node, the Redis primary and an app host each lost once.
# Not under the sanitizers (the cluster runs the plain build).
if wanted cluster && [ "${YICHUANG_SANITIZERS:-0}" != 1 ] && [ -x "$BUILD/cluster/it_cluster" ]; then
  echo "== cluster (short form)"
  out=$LOG/cluster.log
  limit=${YICHUANG_TIMEOUT_CLUSTER:-600}
  if [ "$(id -u)" -ne 0 ]; then
    echo "   cluster: needs root (network namespaces); run as root, or leave it out with YICHUANG_TESTS"
    failed=$((failed + 1)); failures+=("cluster(not root)")
  else
    YICHUANG_CLUSTER_SHORT=1 YICHUANG_TIMEOUT_CLUSTER=$limit YICHUANG_BUILD=$BUILD \
      timeout -k 20 $((limit + 180)) bash ops/cluster-test.sh >"$out" 2>&1; rc=$?
    p=$(grep -E '^\[  PASSED  \] [0-9]+' "$out" | grep -oE '[0-9]+' | tail -1)
    f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$out" | grep -oE '[0-9]+' | head -1)
    p=${p:-0}; f=${f:-0}
    grep -E '^cluster-test:|recover|FAILED' "$out" | head -20
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    [ "$f" -gt 0 ] && failures+=(cluster)
    passed=$((passed + p)); failed=$((failed + f))
  fi
fi

# A short fuzzing run of every parser target (make fuzz runs them longer).
if wanted fuzz && [ -n "${YICHUANG_FUZZ_SECONDS:-}" ] && ls build-fuzz/fuzz/fuzz_* >/dev/null 2>&1; then
  echo "== fuzz (${YICHUANG_FUZZ_SECONDS}s each)"
  out=$LOG/fuzz.log
  n=$(ls build-fuzz/fuzz/fuzz_* | wc -l)
  limit=$((YICHUANG_FUZZ_SECONDS * n + 120))
  t0=$SECONDS
  timeout -k 10 "$limit" bash ops/fuzz.sh "$YICHUANG_FUZZ_SECONDS" >"$out" 2>&1; rc=$?
  grep -E '^fuzz ' "$out"
  if timed_out "$rc" "$t0" "$limit"; then
    echo "   fuzz TIMED OUT after ${limit}s: killed"
    p=0 f=1
  else
    read -r p f < <(tail -1 "$out" | awk '{print $1, $3}')
  fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
  [ "${f:-1}" -gt 0 ] && failures+=(fuzz)
fi

# Logs must never carry a full ID number or phone number.
leaks=$(grep -rEl '(^|[^0-9A-Za-z])(1[3-9][0-9]{9}|[1-9][0-9]{16}[0-9Xx])([^0-9A-Za-z]|$)' var/"$INST"/log 2>/dev/null | head -5)
if [ -n "$leaks" ]; then
  echo "== personal data found in logs: $leaks"
  failed=$((failed + 1)); failures+=(log-privacy)
else
  passed=$((passed + 1))
fi

# make asan: the servers' own reports land in their logs once they stop (LeakSanitizer
# reports at exit).  Only there: a build without sanitizers has nothing to report.
bash ops/stack.sh down "$INST" >/dev/null 2>&1
if [ "${YICHUANG_SANITIZERS:-0}" = 1 ]; then
  unsanitized=
  for b in yichuang-app yichuang-worker; do
    # (grep reads it all: with pipefail, grep -q would make nm die of SIGPIPE)
    nm "$BUILD/$b" 2>/dev/null | grep '__asan_init' >/dev/null || unsanitized="$unsanitized $BUILD/$b"
  done
  san=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' var/"$INST"/log/*.log 2>/dev/null | head -5)
  if [ -n "$unsanitized" ]; then
    echo "== sanitizers: not built with AddressSanitizer:$unsanitized"
    failed=$((failed + 1)); failures+=(sanitizers)
  elif [ -n "$san" ]; then
    echo "== sanitizer reports in: $san"; grep -hE -A8 'ERROR: (Address|Leak)Sanitizer|runtime error:' $san | head -60
    failed=$((failed + 1)); failures+=(sanitizers)
  else
    passed=$((passed + 1))
  fi
fi

for l in "${skip_lines[@]+"${skip_lines[@]}"}"; do echo "$l"; done
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]} (logs in $LOG/ and var/$INST/log/)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
