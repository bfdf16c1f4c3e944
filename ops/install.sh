#!/usr/bin/env bash
# ops/install.sh — what `make install` and `make uninstall` run (docs/INSTALL.md).
#
#   ops/install.sh install     programs, site, templates, migrations, units, configuration
#   ops/install.sh uninstall   remove what install put under PREFIX (never /etc, never /var)
#
# Where things go (the FHS; every directory can be moved by the variable in brackets):
#   $PREFIX/bin                     yichuang-app, yichuang-worker, yichuang-admin  [BINDIR]
#   $PREFIX/share/yichuang          site/, sms-templates/, migrations/, calendar/, nginx/
#                                                                                  [DATADIR]
#   $PREFIX/share/doc/yichuang      INSTALL.md, API.md                             [DOCDIR]
#   $PREFIX/lib/systemd/system      yichuang-app.service, yichuang-worker.service  [UNITDIR]
#   $PREFIX/lib/sysusers.d          yichuang.conf (the system user)            [SYSUSERSDIR]
#   /etc/yichuang/yichuang.conf     never overwritten: the new default goes beside it as
#                                   yichuang.conf.dist                          [SYSCONFDIR]
#   /etc/nginx/sites-available/yichuang   the same rule (yichuang.dist); not enabled
#   /etc/logrotate.d/yichuang             the same rule (yichuang.dist)
#   /var/lib/yichuang, /var/log/yichuang  state and logs                     [LOCALSTATEDIR]
#   /run/yichuang                   the app's sockets (systemd makes it)       [RUNSTATEDIR]
# PREFIX defaults to /usr/local; a Debian package uses PREFIX=/usr. DESTDIR stages all of it
# under another root (packaging, the install test): nothing is then done to the running
# system. Without DESTDIR, as root: the system user is made (systemd-sysusers), the key file
# is made once, owners are set, and systemd reloads its units.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

CMD=${1:-install}
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
DATADIR=${DATADIR:-$PREFIX/share/yichuang}
DOCDIR=${DOCDIR:-$PREFIX/share/doc/yichuang}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
SYSUSERSDIR=${SYSUSERSDIR:-$PREFIX/lib/sysusers.d}
SYSCONFDIR=${SYSCONFDIR:-/etc}
LOCALSTATEDIR=${LOCALSTATEDIR:-/var}
RUNSTATEDIR=${RUNSTATEDIR:-/run}
BUILD=${B:-build}
PROGRAMS=(yichuang-app yichuang-worker yichuang-admin)

say()  { printf 'install: %s\n' "$*"; }
die()  { printf 'install: error: %s\n' "$*" >&2; exit 1; }
for d in PREFIX BINDIR DATADIR DOCDIR UNITDIR SYSUSERSDIR SYSCONFDIR LOCALSTATEDIR RUNSTATEDIR; do
  [[ "${!d}" == /* ]] || die "$d='${!d}' must be an absolute path"
done
[ -z "$DESTDIR" ] || [[ "$DESTDIR" == /* ]] || DESTDIR=$ROOT/$DESTDIR

# render TEMPLATE OUT: every @NAME@ of the directories above; a leftover one is an error.
render() {
  local v args=()
  for v in BINDIR DATADIR DOCDIR SYSCONFDIR LOCALSTATEDIR RUNSTATEDIR; do
    args+=(-e "s|@$v@|$(printf '%s' "${!v}" | sed 's/[\\|&]/\\&/g')|g")
  done
  sed "${args[@]}" "$1" > "$2.tmp"
  if grep -n '@[A-Z_][A-Z_]*@' "$2.tmp" >&2; then rm -f "$2.tmp"; die "unfilled placeholder in $1"; fi
  mv "$2.tmp" "$2"
}

# tree SRC DEST PATTERN...: DEST becomes exactly the files of SRC matching a pattern (a file
# the previous release had and this one has not is gone), swapped in by two renames so a
# reader sees the old folder or the new one.
tree() {
  local src=$1 dest=$2 new old p f; shift 2
  new=$dest.new.$$ old=$dest.old.$$
  rm -rf "$new"; install -d -m 0755 "$new"
  (cd "$src" && for p in "$@"; do find . -type f -name "$p" ! -name '.*'; done) | LC_ALL=C sort -u |
  while read -r f; do install -D -m 0644 "$src/$f" "$new/$f"; done
  if [ -e "$dest" ]; then mv "$dest" "$old"; fi
  mv "$new" "$dest"
  rm -rf "$old"
}

# config TEMPLATE DEST MODE: install a configuration file the operator edits — never over
# an existing one: the release's default then goes beside it as DEST.dist (and is removed
# again once the two agree).
config() {
  local tpl=$1 dest=$2 mode=$3 tmp
  tmp=$(mktemp); render "$tpl" "$tmp"
  install -d -m 0755 "$(dirname "$dest")"
  if [ -e "$dest" ]; then
    if cmp -s "$tmp" "$dest"; then rm -f "$tmp" "$dest.dist"
    else install -m "$mode" "$tmp" "$dest.dist"; rm -f "$tmp"
         say "kept ${dest#"$DESTDIR"} (yours); this release's default is ${dest#"$DESTDIR"}.dist"
    fi
  else
    install -m "$mode" "$tmp" "$dest"; rm -f "$tmp"
  fi
}

do_install() {
  local p
  for p in "${PROGRAMS[@]}"; do [ -x "$BUILD/$p" ] || die "$BUILD/$p is not built (make all)"; done
  install -d -m 0755 "$DESTDIR$BINDIR" "$DESTDIR$DATADIR" "$DESTDIR$DOCDIR" \
    "$DESTDIR$UNITDIR" "$DESTDIR$SYSUSERSDIR"
  for p in "${PROGRAMS[@]}"; do install -m 0755 "$BUILD/$p" "$DESTDIR$BINDIR/$p"; done

  tree nginx/site "$DESTDIR$DATADIR/site" '*'
  tree sms-templates "$DESTDIR$DATADIR/sms-templates" '*.tmpl' README.md
  tree sql/migrations "$DESTDIR$DATADIR/migrations" '*.sql'
  tree sql/data "$DESTDIR$DATADIR/calendar" 'cn-holidays-*.json'
  tree nginx "$DESTDIR$DATADIR/nginx" fastcgi_params security-headers.conf hsts.conf
  install -m 0644 docs/INSTALL.md docs/API.md "$DESTDIR$DOCDIR/"

  render ops/systemd/yichuang-app.service.in "$DESTDIR$UNITDIR/yichuang-app.service"
  render ops/systemd/yichuang-worker.service.in "$DESTDIR$UNITDIR/yichuang-worker.service"
  render ops/systemd/yichuang.sysusers "$DESTDIR$SYSUSERSDIR/yichuang.conf"
  chmod 0644 "$DESTDIR$UNITDIR"/yichuang-*.service "$DESTDIR$SYSUSERSDIR/yichuang.conf"

  install -d -m 0755 "$DESTDIR$SYSCONFDIR/yichuang"
  install -d -m 0750 "$DESTDIR$SYSCONFDIR/yichuang/tls"
  config ops/yichuang.conf.in "$DESTDIR$SYSCONFDIR/yichuang/yichuang.conf" 0640
  config nginx/yichuang-site.conf.in "$DESTDIR$SYSCONFDIR/nginx/sites-available/yichuang" 0644
  # The logs of /var/log/yichuang, rotated daily; the programs reopen them on SIGHUP.
  config ops/logrotate/yichuang "$DESTDIR$SYSCONFDIR/logrotate.d/yichuang" 0644
  install -d -m 0750 "$DESTDIR$LOCALSTATEDIR/lib/yichuang" "$DESTDIR$LOCALSTATEDIR/lib/yichuang/uploads" \
    "$DESTDIR$LOCALSTATEDIR/log/yichuang"

  say "installed under ${DESTDIR:-/}: $BINDIR, $DATADIR, $UNITDIR, $SYSCONFDIR/yichuang"
  [ -z "$DESTDIR" ] || return 0
  live_system
}

# The running system (no DESTDIR): the user, the key, owners, systemd.
live_system() {
  local key=$SYSCONFDIR/yichuang/secret.key
  [ "$(id -u)" -eq 0 ] || { say "not root: make the yichuang user, $key and owners as docs/INSTALL.md says"; return 0; }
  if ! getent passwd yichuang >/dev/null; then
    command -v systemd-sysusers >/dev/null || die "systemd-sysusers is missing: cannot make the yichuang user"
    systemd-sysusers "$SYSUSERSDIR/yichuang.conf"
  fi
  if [ ! -s "$key" ]; then
    (umask 077; head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' > "$key.tmp")
    mv "$key.tmp" "$key"
    say "made $key: keep a copy with the backups (without it sealed numbers cannot be read)"
  fi
  chown root:yichuang "$SYSCONFDIR/yichuang/yichuang.conf" "$key"
  chmod 0640 "$SYSCONFDIR/yichuang/yichuang.conf" "$key"
  chown yichuang:yichuang "$LOCALSTATEDIR/lib/yichuang" "$LOCALSTATEDIR/lib/yichuang/uploads" \
    "$LOCALSTATEDIR/log/yichuang"
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  say "next: fill in $SYSCONFDIR/yichuang/yichuang.conf, then yichuang-admin -c $SYSCONFDIR/yichuang/yichuang.conf migrate,"
  say "      systemctl enable --now yichuang-app yichuang-worker (docs/INSTALL.md)"
}

do_uninstall() {
  local p
  for p in "${PROGRAMS[@]}"; do rm -f "$DESTDIR$BINDIR/$p"; done
  rm -rf "$DESTDIR$DATADIR" "$DESTDIR$DOCDIR"
  rm -f "$DESTDIR$UNITDIR/yichuang-app.service" "$DESTDIR$UNITDIR/yichuang-worker.service" \
    "$DESTDIR$SYSUSERSDIR/yichuang.conf"
  say "removed the programs, $DATADIR and the units; kept $SYSCONFDIR/yichuang, the nginx site,"
  say "$LOCALSTATEDIR/lib/yichuang and $LOCALSTATEDIR/log/yichuang (the hall's configuration, key and records)"
  if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
}

case "$CMD" in
  install)   do_install ;;
  uninstall) do_uninstall ;;
  *)         die "usage: ops/install.sh install|uninstall" ;;
esac
