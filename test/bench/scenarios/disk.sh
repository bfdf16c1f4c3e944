# disk.sh — `make bench` baseline "disk_commit" (issue 24, item 3), sourced by ops/bench.sh:
# what this machine's MariaDB itself commits durably, with no FastCGI, nginx, Redis or app in
# the way — the figure take-a-number is held against.
#
#   disk_commit    plain single-row inserts, each its own durable commit (autocommit), into
#                  bench_commit: a table like queue_tickets — made LIKE it (the same columns
#                  and the same unique and secondary keys) and given its foreign keys (to
#                  halls, categories twice and windows), which LIKE does not copy — by
#                  mariadb-slap (mariadb-client) with BENCH_CONNECTIONS clients at once over
#                  the instance's unix socket, on the same server and settings as the app
#                  (innodb_flush_log_at_trx_commit and sync_binlog as ops/mariadb.cnf.in sets
#                  them: 1 and 1; printed in the row).  Each client inserts 200 rows, each row
#                  checked against rows that exist, as a ticket is: the demo hall, one of its
#                  categories A–F (by connection id); the unique number key never collides
#                  between clients (each its own day: the bench's day + its connection id;
#                  numbers 1, 2, 3 …).  The rate is rows / mariadb-slap's own run time; it
#                  gives no per-query latency ("—").
#
# queue.sh runs it right before the take-a-number scenarios (disk_baseline), so the two are
# measured side by side; the table's target compares take_number with it.

if [ "$(id -u)" -eq 0 ]; then DISK_DBA=root; else DISK_DBA=$(id -un); fi
DISK_SOCK="$PWD/var/$INST/run/mysql.sock"

disk_baseline() {
  local n=$((CONNS * 200)) secs rps settings q
  mariadb --no-defaults --socket="$DISK_SOCK" -u"$DISK_DBA" yichuang -e \
    "DROP TABLE IF EXISTS bench_commit; CREATE TABLE bench_commit LIKE queue_tickets;
     ALTER TABLE bench_commit
       ADD CONSTRAINT fk_bench_hall FOREIGN KEY (hall) REFERENCES halls (code),
       ADD CONSTRAINT fk_bench_category FOREIGN KEY (hall, category) REFERENCES categories (hall, code),
       ADD CONSTRAINT fk_bench_num_cat FOREIGN KEY (hall, num_cat) REFERENCES categories (hall, code),
       ADD CONSTRAINT fk_bench_window FOREIGN KEY (hall, window_no) REFERENCES windows (hall, number)" ||
    { rows+=("disk_commit|set-up failed|||||"); return; }
  settings=$(mariadb --no-defaults --socket="$DISK_SOCK" -u"$DISK_DBA" --batch \
    --skip-column-names -e "SELECT CONCAT('innodb_flush_log_at_trx_commit=',
      @@innodb_flush_log_at_trx_commit, ', sync_binlog=', @@sync_binlog,
      ', binlog_commit_wait_count=', @@binlog_commit_wait_count)")
  # One line: mariadb-slap takes a line break for the end of a statement.
  q="INSERT INTO bench_commit (token, hall, day, num_cat, seq, number, category, priority, line,"
  q+=" rank_score, source, taken_at, updated_at) VALUES (REPLACE(UUID(), '-', ''), 'demo',"
  q+=" '$(date -d "$YICHUANG_NOW" +%F)' + INTERVAL CONNECTION_ID() DAY,"
  q+=" CHAR(65 + CONNECTION_ID() % 6), (@n := IFNULL(@n, 0) + 1), 'A001',"
  q+=" CHAR(65 + CONNECTION_ID() % 6), 'normal', 'n', 1, 'kiosk', NOW(3), NOW(3))"
  secs=$(mariadb-slap --no-defaults --socket="$DISK_SOCK" -u"$DISK_DBA" \
    --create-schema=yichuang --concurrency="$CONNS" --iterations=1 --number-of-queries="$n" \
    --query="$q" 2>&1 |
    awk '/Average number of seconds/ { print $(NF - 1) }')
  if [ -z "$secs" ] || [ "$(awk -v s="$secs" 'BEGIN { print (s > 0) }')" != 1 ]; then
    rows+=("disk_commit|failed to run|||||"); return
  fi
  rps=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
  RPS[disk_commit]=$rps
  rows+=("disk_commit|$rps|—|—|0|baseline: $n durable single-row commits by $CONNS clients ($settings)")
  printf '  %-22s %10s commits/s (%s rows, %s clients, %s)\n' disk_commit "$rps" "$n" "$CONNS" "$settings"
  mariadb --no-defaults --socket="$DISK_SOCK" -u"$DISK_DBA" yichuang -e "DROP TABLE bench_commit"
}
