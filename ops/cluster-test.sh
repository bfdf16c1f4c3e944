#!/usr/bin/env bash
# ops/cluster-test.sh — `make cluster-test`: a fresh `make cluster` (ops/cluster.sh, root),
# then test/cluster/it_cluster.c in its long form against it — the acceptance flows under
# load while one host at a time is lost (a Galera node killed and rejoined by IST, the Redis
# primary killed and replaced by Sentinel, an app host cut off and brought back, the two
# workers on two nodes, one Idempotency-Key on two nodes) — then the cluster is removed.
#   CLUSTER_KEEP=1 leaves it up afterwards;  YICHUANG_CLUSTER_SHORT=1 runs the short form
#   (shorter phases, fewer threads);  YICHUANG_CLUSTER_ONLY=<glob> some tests only;
#   YICHUANG_TIMEOUT_CLUSTER (900): seconds before a hung run is killed and fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export YICHUANG_BUILD=${YICHUANG_BUILD:-build}
# The hall clock on a Monday at 09:30 whatever the real day (each test moves it to a day of
# its own at 10:00).
export YICHUANG_NOW=${YICHUANG_NOW:-2026-11-23T09:30:00+08:00}
export YICHUANG_CONF_EXTRA="sms_lease_seconds = 4
sms_timeout_ms = 1000${YICHUANG_CONF_EXTRA:+
$YICHUANG_CONF_EXTRA}"

[ "$(id -u)" -eq 0 ] || { echo "cluster-test: needs root (network namespaces)" >&2; exit 1; }
bash ops/cluster.sh down >/dev/null 2>&1
bash ops/cluster.sh up || { bash ops/cluster.sh down >/dev/null 2>&1; exit 1; }
[ "${CLUSTER_KEEP:-0}" = 1 ] || trap 'bash ops/cluster.sh down >/dev/null 2>&1' EXIT

long=1; [ "${YICHUANG_CLUSTER_SHORT:-0}" = 1 ] && long=0
limit=${YICHUANG_TIMEOUT_CLUSTER:-900} t0=$SECONDS
YICHUANG_BASE_URL=http://10.77.0.40 YICHUANG_INSTANCE=cluster YICHUANG_CLUSTER_LONG=$long \
  timeout -k 10 "$limit" stdbuf -oL "$YICHUANG_BUILD/cluster/it_cluster"
rc=$?
echo "cluster-test: it_cluster exited with status $rc"
if { [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && [ $((SECONDS - t0)) -ge "$limit" ]; then
  echo "cluster-test: it_cluster TIMED OUT after ${limit}s: killed" >&2
fi
bash ops/cluster.sh status || { echo "cluster-test: the cluster is not whole afterwards" >&2; rc=1; }
[ $rc -eq 0 ] && echo "cluster-test: all passed" || echo "cluster-test: FAILED" >&2
exit $rc
