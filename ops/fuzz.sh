#!/usr/bin/env bash
# ops/fuzz.sh SECONDS — run every libFuzzer target in build-fuzz/fuzz/ for SECONDS each,
# starting from the seed corpus in test/fuzz/corpus/<target>/ (new inputs go to
# var/fuzz/<target>/, never into the repository).  Prints "N passed, N failed".
# Targets: request, validators, config, time, tmpl (SMS templates: parse and render for every
# provider), receipts (Aliyun and Tencent delivery-receipt bodies).
# YICHUANG_FUZZ_BUILD: where the fuzz binaries are (default build-fuzz).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60} passed=0 failed=0
for bin in "${YICHUANG_FUZZ_BUILD:-build-fuzz}"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  t=$(basename "$bin"); name=${t#fuzz_}
  mkdir -p "var/fuzz/$name" "var/fuzz/crashes"
  if "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=0 \
       -artifact_prefix="var/fuzz/crashes/$name-" "var/fuzz/$name" "test/fuzz/corpus/$name" \
       >"var/fuzz/$name.log" 2>&1; then
    echo "fuzz $name: ok (${secs}s, $(grep -oE 'stat::number_of_executed_units: [0-9]+|#[0-9]+' "var/fuzz/$name.log" | tail -1))"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED — see var/fuzz/$name.log and var/fuzz/crashes/"
    grep -E 'ERROR|runtime error|SUMMARY' "var/fuzz/$name.log" | head -5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
