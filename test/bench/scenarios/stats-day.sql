-- stats-day.sql — a busy day for the hall manager's figures, shared by the stats bench
-- (stats.sh) and the dashboard's browser test: 5,000 tickets of hall demo (one in eight of
-- them reviewed, the bad reviews with rectification tasks) and 500 cases with their parts.
-- Set @day first (a day nobody else uses); run as the database superuser:
--   { echo "SET @day = '2026-10-21';"; cat test/bench/scenarios/stats-day.sql; } | mariadb … yichuang
-- Earlier rows of the same day made by this file are removed first, so it can run again.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;
SET @no = CONCAT('GEN-', DATE_FORMAT(@day, '%Y%m%d'), '-');
DELETE h FROM review_rectification_history h JOIN review_rectifications t ON t.id = h.task_id
  WHERE t.hall = 'demo' AND t.day = @day;
DELETE FROM review_rectifications WHERE hall = 'demo' AND day = @day;
DELETE FROM reviews WHERE hall = 'demo' AND day = @day;
DELETE FROM queue_ticket_history WHERE ticket_id IN
  (SELECT id FROM queue_tickets WHERE hall = 'demo' AND day = @day);
UPDATE appointments SET ticket_id = NULL, status = 'booked' WHERE ticket_id IN
  (SELECT id FROM queue_tickets WHERE hall = 'demo' AND day = @day);
DELETE FROM queue_tickets WHERE hall = 'demo' AND day = @day;
DELETE FROM cases WHERE no LIKE CONCAT(@no, '%');

START TRANSACTION;
INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number, category, priority, line,
    rank_score, source, status, outcome, window_no, clerk, calls, taken_at, called_at,
    started_at, finished_at, updated_at)
  SELECT CONCAT('gen', DATE_FORMAT(@day, '%m%d'), LPAD(seq, 5, '0')), 'demo', @day,
    CHAR(65 + seq % 6), seq DIV 6 + 1, CONCAT(CHAR(65 + seq % 6), LPAD(seq DIV 6 + 1, 3, '0')),
    CHAR(65 + seq % 6), 'normal', 'n', seq + 1, 'kiosk',
    IF(seq % 20 = 7, 'cancelled', 'done'), IF(seq % 20 = 7, NULL, IF(seq % 20 = 3, 'no_show', 'done')),
    IF(seq % 20 = 7, NULL, 1 + seq % 7), IF(seq % 20 = 7, NULL, 1 + seq % 7), IF(seq % 20 = 7, 0, 1),
    t,
    IF(seq % 20 = 7, NULL, t + INTERVAL (seq * 37 % 2400) SECOND),
    IF(seq % 20 IN (3, 7), NULL, t + INTERVAL (seq * 37 % 2400 + 40) SECOND),
    IF(seq % 20 = 7, NULL, t + INTERVAL (seq * 37 % 2400 + 160 + seq * 53 % 1200) SECOND),
    t
  FROM (SELECT seq, TIMESTAMP(@day, '08:30:00') + INTERVAL (seq * 13 % 28800) SECOND t
        FROM seq_0_to_4999) x;

INSERT INTO cases (no, hall, channel, item, title, status, applicant_name_enc,
    applicant_name_mask, applicant_id_enc, applicant_id_hash, applicant_id_mask,
    applicant_phone_enc, applicant_phone_hash, applicant_phone_mask, window_no, accepted_at,
    promised_days, deadline, decision, decided_at, closed_at, created_at, updated_at)
  SELECT CONCAT(@no, LPAD(seq, 4, '0')), 'demo', IF(seq % 7 = 0, 'online', 'window'),
    ELT(seq % 6 + 1, 'IT-A-001', 'IT-B-001', 'IT-C-001', 'IT-D-001', 'IT-E-001', 'IT-F-003'),
    '生成的办件', ELT(seq % 4 + 1, 'closed', 'processing', 'approved', 'processing'),
    'x', '张*', 'x', SHA2(CONCAT(@no, seq), 256), 'x', 'x', SHA2(CONCAT(@no, seq), 256), 'x',
    IF(seq % 7 = 0, NULL, 1 + seq % 8), t, 5, @day - INTERVAL (seq % 9) DAY + INTERVAL 4 DAY,
    IF(seq % 4 IN (0, 2), 'approved', NULL), IF(seq % 4 IN (0, 2), t + INTERVAL 1 HOUR, NULL),
    IF(seq % 4 = 0, t + INTERVAL 2 HOUR, NULL), t, t
  FROM (SELECT seq, TIMESTAMP(@day, '08:40:00') + INTERVAL (seq * 53 % 25000) SECOND t
        FROM seq_0_to_499) x;
INSERT INTO case_parts (case_id, seq, item, department, promised_days)
  SELECT c.id, 1, c.item, i.department, 5 FROM cases c JOIN items i ON i.id = c.item
  WHERE c.no LIKE CONCAT(@no, '%');

INSERT INTO reviews (hall, kind, ticket_id, ref, day, score, attitude, efficiency, created_at)
  SELECT 'demo', 'ticket', id, number, @day, IF(seq % 23 = 0, 1, IF(seq % 17 = 0, 2, 3 + seq % 3)),
    3 + seq % 3, 2 + seq % 4, finished_at
  FROM queue_tickets WHERE hall = 'demo' AND day = @day AND outcome = 'done' AND seq % 8 = 0;
INSERT INTO review_rectifications (review_id, hall, day, status, deadline, contacted_at, cause,
    fix, closed_at, closed_by, opened_at, updated_at)
  SELECT id, 'demo', @day, IF(id % 3 = 0, 'closed', 'open'), @day + INTERVAL 7 DAY,
    IF(id % 3 = 0, created_at, NULL), IF(id % 3 = 0, '等候过久', ''), IF(id % 3 = 0, '高峰增开窗口', ''),
    IF(id % 3 = 0, created_at + INTERVAL 1 DAY, NULL), NULL, created_at, created_at
  FROM reviews WHERE hall = 'demo' AND day = @day AND score <= 2;
COMMIT;
