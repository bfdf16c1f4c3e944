#!/usr/bin/env bash
# test/upgrade/snapshot.sh SRC OUT COMMIT — a hall's database as a release left it, for the upgrade
# test (test/integration/it_upgrade.c). Run it once per release, on that release.
#
# SRC is a built checkout of the release (e.g. `git archive <commit> | tar -x -C SRC && make
# -C SRC all`); its own ops/stack.sh starts a stack "snapshot" (ports from YICHUANG_PORT,
# YICHUANG_REDIS_PORT, YICHUANG_MYSQL_PORT) on the test clock, Monday 2026-11-23 09:30. A
# morning of the hall goes through its public API, as phones, the kiosk and the clerks
# would: numbers taken in three categories (one with a phone for the turn-near SMS, one of
# the 绿色通道), called, skipped, served and reviewed; a case accepted at a window and
# decided by the back office; a citizen signed in by SMS who books tomorrow morning. Then
# OUT receives (needs curl and jq):
#   hall.sql       mariadb-dump of the database (schema, schema_migrations, every row)
#   secret.key     the key that sealed its phone and ID numbers (test data only)
#   expect.json    what the release answered about that data, and the tokens to ask with
#   RELEASE        COMMIT (the release's, which it_upgrade builds when the history has it)
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 SRC OUT COMMIT" >&2; exit 2; }
SRC=$(cd "$1" && pwd -P)
mkdir -p "$2"; OUT=$(cd "$2" && pwd -P)
COMMIT=$3
INST=snapshot
: "${YICHUANG_PORT:?}" "${YICHUANG_REDIS_PORT:?}" "${YICHUANG_MYSQL_PORT:?}"
export YICHUANG_NOW=2026-11-23T09:30:00+08:00
export YICHUANG_SIGNIN_RATE=600r/m YICHUANG_SIGNIN_BURST=50
API=http://127.0.0.1:$YICHUANG_PORT/api/v1
VAR=$SRC/var/$INST

(cd "$SRC" && bash ops/stack.sh wipe "$INST" >/dev/null 2>&1 || true; bash ops/stack.sh up "$INST" >/dev/null)
trap '(cd "$SRC" && bash ops/stack.sh down "$INST" >/dev/null 2>&1)' EXIT

# call METHOD PATH TOKEN BODY: the reply's JSON on stdout; a status other than 2xx stops.
call() {
  local out code
  out=$(curl -s -w '\n%{http_code}' -X "$1" "$API$2" \
        ${3:+-H "Authorization: Bearer $3"} ${4:+-H 'Content-Type: application/json' --data "$4"})
  code=${out##*$'\n'}
  [[ "$code" == 2* ]] || { echo "snapshot: $1 $2 -> $code ${out%$'\n'*}" >&2; exit 1; }
  printf '%s\n' "${out%$'\n'*}"
}
staff() {
  call POST /staff/login '' "{\"hall\":\"demo\",\"username\":\"$1\",\"password\":\"yichuang-demo\"${2:+,\"window\":$2}}" | jq -r .token
}

KIOSK=$(staff kiosk1)
CLERK=$(staff clerk1 1)
APPROVER=$(staff approver1)

# Numbers: A001..A004 (A002 with a phone), A005 绿色通道, B001, B002, C001.
declare -A TICKET
for spec in A:normal A:normal:13800138001 A:normal A:normal A:elderly B:normal B:normal C:normal; do
  IFS=: read -r cat prio phone <<<"$spec"
  t=$(call POST /halls/demo/tickets "$KIOSK" "{\"category\":\"$cat\",\"priority\":\"$prio\"${phone:+,\"phone\":\"$phone\"}}")
  TICKET[$(jq -r .ticket.number <<<"$t")]=$(jq -r .ticket.token <<<"$t")
done

# Window 1 calls the 绿色通道 first (A005), accepts a case for them, finishes; then skips the
# next (A001) and serves A002.
call POST /windows/1/call-next "$CLERK" >/dev/null
call POST /windows/1/start "$CLERK" >/dev/null
ITEM=IT-B-003
MATERIALS=$(call GET "/items/$ITEM" | jq -c '[.item.materials[] | select(.required) | .code]')
CASE=$(call POST /cases "$CLERK" "{\"item\":\"$ITEM\",\"applicant\":{\"name\":\"张三丰\",\"id_number\":\"11010519491231002X\",\"phone\":\"13800138002\"},\"materials\":$MATERIALS,\"ticket\":\"A005\"}")
CASE_NO=$(jq -r .case.no <<<"$CASE"); CASE_TOKEN=$(jq -r .case.track_token <<<"$CASE")
call POST /windows/1/finish "$CLERK" "{\"outcome\":\"done\",\"case\":\"$CASE_NO\"}" >/dev/null
call POST /windows/1/call-next "$CLERK" >/dev/null
call POST /windows/1/skip "$CLERK" >/dev/null
call POST /windows/1/call-next "$CLERK" >/dev/null
call POST /windows/1/finish "$CLERK" '{"outcome":"done"}' >/dev/null
call POST "/cases/$CASE_NO/actions" "$APPROVER" '{"action":"assign"}' >/dev/null
call POST /reviews '' "{\"ticket\":\"${TICKET[A005]}\",\"score\":5,\"comment\":\"窗口服务很好\"}" >/dev/null

# A citizen signs in by SMS (the code from the log provider) and books tomorrow 09:00.
PHONE=13800138003
size=$(stat -c %s "$VAR/sms.log")
call POST /auth/sms-code '' "{\"phone\":\"$PHONE\"}" >/dev/null
for _ in $(seq 150); do
  CODE=$(tail -c +$((size + 1)) "$VAR/sms.log" | jq -r "select(.phone == \"$PHONE\" and .template == \"login_code\") | .params.code" | tail -1)
  [ -n "$CODE" ] && break; sleep 0.1
done
[ -n "$CODE" ] || { echo "snapshot: no login code delivered" >&2; exit 1; }
CITIZEN=$(call POST /auth/sms-login '' "{\"phone\":\"$PHONE\",\"code\":\"$CODE\"}" | jq -r .token)
SLOT=$(call GET '/halls/demo/slots?category=A&date=2026-11-24' | jq -r '.slots[0].id')
APPT=$(call POST /appointments "$CITIZEN" "{\"hall\":\"demo\",\"category\":\"A\",\"slot\":\"$SLOT\",\"name\":\"李四\",\"id_number\":\"110102198005151239\"}")
APPT_TOKEN=$(jq -r .appointment.token <<<"$APPT")

# Let the worker deliver what the morning queued, then read back what the release says.
for _ in $(seq 100); do
  n=$(cd "$SRC" && mariadb --no-defaults --socket="$VAR/run/mysql.sock" -u"$(id -un)" -N yichuang \
        -e "SELECT COUNT(*) FROM outbox WHERE status NOT IN ('sent','failed')")
  [ "$n" = 0 ] && break; sleep 0.2
done
KIOSK=$(staff kiosk1)
jq -n --arg case_no "$CASE_NO" --arg case_token "$CASE_TOKEN" --arg appt_token "$APPT_TOKEN" \
      --arg slot "$SLOT" --argjson tickets "$(for k in "${!TICKET[@]}"; do printf '{"%s":"%s"}' "$k" "${TICKET[$k]}"; done | jq -s add)" \
      --argjson track "$(call GET "/track/$CASE_TOKEN")" \
      --argjson case "$(call GET "/cases/$CASE_NO?reveal=1" "$(staff clerk1 1)")" \
      --argjson appointment "$(call GET "/appointments/$APPT_TOKEN" "$KIOSK")" \
      --argjson ticket_a002 "$(call GET "/tickets/${TICKET[A002]}")" \
      --argjson ticket_b002 "$(call GET "/tickets/${TICKET[B002]}")" \
      '{case_no: $case_no, case_token: $case_token, appointment_token: $appt_token, slot: $slot,
        tickets: $tickets, answers: {track: $track, case: $case, appointment: $appointment,
        ticket_a002: $ticket_a002, ticket_b002: $ticket_b002}}' > "$OUT/expect.json"

mariadb-dump --no-defaults --socket="$VAR/run/mysql.sock" -u"$(id -un)" --single-transaction \
  --skip-dump-date --skip-comments --hex-blob --routines --triggers \
  --default-character-set=utf8mb4 yichuang |
  sed '1{/enable the sandbox mode/d}' > "$OUT/hall.sql"   # a line older mariadb clients refuse
cp "$VAR/secret.key" "$OUT/secret.key"
printf '%s\n' "$COMMIT" > "$OUT/RELEASE"
echo "snapshot: $OUT ($(wc -c < "$OUT/hall.sql") bytes of SQL)"
