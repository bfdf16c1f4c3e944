#!/usr/bin/env bash
# ops/deps.sh — install what yichuang needs on a Debian machine, and only what is missing.
# Called by `make run`, `make test` and `make bench`; safe to run again.
#   ops/deps.sh            build + run dependencies
#   ops/deps.sh test       also the test tools (cmocka, chromium, zbarimg, wrk, playwright-core)
#   ops/deps.sh cluster    (test includes these) the several-host engines of `make cluster` (ops/cluster.sh):
#                          Galera's SST by rsync, Redis Sentinel, haproxy, iproute2
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential pkg-config
      libfcgi-dev libhiredis-dev libmariadb-dev libqrencode-dev libpng-dev
      libcurl4-openssl-dev libjansson-dev libsodium-dev libssl-dev libcairo2-dev fonts-noto-cjk
      nginx-light libnginx-mod-nchan redis-server mariadb-server mariadb-client curl ca-certificates procps
      logrotate)
if [ "${1:-}" = test ]; then
  pkgs+=(libcmocka-dev chromium zbar-tools librsvg2-bin wrk clang libclang-rt-14-dev nodejs npm python3 poppler-utils
         fonts-noto-cjk
         # it_install: systemd-analyze verify/security on the installed units, a certificate
         # for the installed nginx site; it_upgrade: the previous release from git history
         systemd openssl git)
fi
# make test runs the cluster's short form, so "test" takes these too.
if [ "${1:-}" = cluster ] || [ "${1:-}" = test ]; then
  # galera-4 comes with mariadb-server; rsync is its SST method here (wsrep_sst_rsync), and
  # lsof/socat are what that script uses to see its port free and to stream.
  pkgs+=(galera-4 rsync lsof socat redis-sentinel haproxy iproute2 wrk)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node/npm may come from outside Debian on some images; accept any working pair.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do case "$p" in nodejs|npm) ;; *) tmp+=("$p");; esac; done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # The distribution's own services must not grab the ports or start at install time:
  # the project runs its own instances under var/.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  $SUDO rm -f /usr/sbin/policy-rc.d
fi

if [ "${1:-}" = test ] && [ ! -d test/browser/node_modules/playwright-core ]; then
  echo "deps: npm install (playwright-core)"
  (cd test/browser && npm install --no-audit --no-fund --silent)
fi
