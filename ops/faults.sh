#!/usr/bin/env bash
# ops/faults.sh — `make faults`: the fault tests of test/integration/it_faults.c in their long
# form, on a stack of their own (instance "faults", var/faults), with the stack's worker
# sending SMS through test/fake/provider.mjs (Aliyun protocol, signatures checked) so that
# the provider can be taken away and brought back:
#   kill -9 an app process under load; kill -9 Redis under load and start it again (numbers
#   and a booking rush); MariaDB stopped and started, then kill -9 (crash recovery) under
#   load; the SMS provider away for 15 s while notices are queued.
# `make test` runs the short form of the same file on the test stack: shorter phases, fewer
# threads, and for the SMS test a worker and a fake provider of the test's own.
#   Ports: YICHUANG_PORT (18060), YICHUANG_REDIS_PORT (16360), YICHUANG_MYSQL_PORT (13360),
#   YICHUANG_FAULTS_FAKE_PORT (18061: the fake provider, started and stopped by the test).
#   YICHUANG_BUILD (build).  FAULTS_KEEP=1 leaves the stack up afterwards (else it is wiped).
#   YICHUANG_TIMEOUT_FAULTS (900): seconds before a hung run is killed and fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export YICHUANG_PORT=${YICHUANG_PORT:-18060} YICHUANG_REDIS_PORT=${YICHUANG_REDIS_PORT:-16360}
export YICHUANG_MYSQL_PORT=${YICHUANG_MYSQL_PORT:-13360}
export YICHUANG_FAULTS_FAKE_PORT=${YICHUANG_FAULTS_FAKE_PORT:-18061}
export YICHUANG_BUILD=${YICHUANG_BUILD:-build}
export YICHUANG_NOW=${YICHUANG_NOW:-2026-11-23T09:30:00+08:00}
export YICHUANG_SMS_PROVIDER=aliyun
export YICHUANG_SMS_BASE_URL=http://127.0.0.1:$YICHUANG_FAULTS_FAKE_PORT/
# The fake's credentials (test/fake/provider.mjs); retries tuned so that an outage of
# seconds is over in seconds (production: config sms_retry_base_ms / sms_retry_max_ms); the
# short lease of the test stack (4 s), so that "nothing sent twice" is watched past a lease.
export YICHUANG_CONF_EXTRA="sms_access_key_id = testId
sms_access_key_secret = testSecret
sms_sign_name = 一窗政务
sms_timeout_ms = 1000
sms_lease_seconds = 4
sms_retry_base_ms = 500
sms_retry_max_ms = 4000"
INST=faults

bash ops/stack.sh wipe $INST >/dev/null 2>&1
bash ops/stack.sh up $INST || exit 1
[ "${FAULTS_KEEP:-0}" = 1 ] || trap 'bash ops/stack.sh wipe $INST >/dev/null 2>&1' EXIT

limit=${YICHUANG_TIMEOUT_FAULTS:-900} t0=$SECONDS
YICHUANG_BASE_URL=http://127.0.0.1:$YICHUANG_PORT YICHUANG_INSTANCE=$INST YICHUANG_FAULTS_LONG=1 \
  timeout -k 10 "$limit" "$YICHUANG_BUILD/test/it_faults"
rc=$?
if { [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && [ $((SECONDS - t0)) -ge "$limit" ]; then
  echo "faults: it_faults TIMED OUT after ${limit}s: killed" >&2
  bash ops/stack.sh up $INST >/dev/null 2>&1
fi
bash ops/stack.sh status $INST >/dev/null 2>&1 || { echo "faults: the stack is not whole afterwards" >&2; rc=1; }
[ $rc -eq 0 ] && echo "faults: all passed" || echo "faults: FAILED" >&2
exit $rc
