-- stats-city.sql — 30 days of a city for the manager's figures at scale (issue 24, item 5),
-- used by stats.sh: 150,000 tickets (5,000 a day: one in eight reviewed, the bad reviews with
-- rectification tasks, closed but for a third of the last week's) and 20,000 cases with their parts, all on hall demo — the city's whole
-- load on one dashboard, the hardest case for GET /halls/{hall}/stats over the month.
-- Set @from first (the first of 30 days nobody else uses); run as the database superuser:
--   { echo "SET @from = '2026-10-19';"; cat test/bench/scenarios/stats-city.sql; } | mariadb … yichuang
-- Made in bulk (INSERT … SELECT over the sequence engine): a few seconds.  Earlier rows of the
-- same period made by this file are removed first, so it can run again.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;
SET @to = @from + INTERVAL 29 DAY;
DELETE h FROM review_rectification_history h JOIN review_rectifications t ON t.id = h.task_id
  WHERE t.hall = 'demo' AND t.day BETWEEN @from AND @to;
DELETE FROM review_rectifications WHERE hall = 'demo' AND day BETWEEN @from AND @to;
DELETE FROM reviews WHERE hall = 'demo' AND day BETWEEN @from AND @to;
DELETE FROM queue_ticket_history WHERE ticket_id IN
  (SELECT id FROM queue_tickets WHERE hall = 'demo' AND day BETWEEN @from AND @to);
UPDATE appointments SET ticket_id = NULL, status = 'booked' WHERE ticket_id IN
  (SELECT id FROM queue_tickets WHERE hall = 'demo' AND day BETWEEN @from AND @to);
DELETE FROM queue_tickets WHERE hall = 'demo' AND day BETWEEN @from AND @to;
DELETE p FROM case_parts p JOIN cases c ON c.id = p.case_id WHERE c.no LIKE 'CITY-%';
DELETE FROM cases WHERE no LIKE 'CITY-%';

START TRANSACTION;
-- Ticket k of a day (0…4999): category A–F in turn, number k DIV 6 + 1 of its letter.
INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number, category, priority, line,
    rank_score, source, status, outcome, window_no, clerk, calls, taken_at, called_at,
    started_at, finished_at, updated_at)
  SELECT CONCAT('city', DATE_FORMAT(d, '%m%d'), LPAD(k, 5, '0')), 'demo', d,
    CHAR(65 + k % 6), k DIV 6 + 1, CONCAT(CHAR(65 + k % 6), LPAD(k DIV 6 + 1, 3, '0')),
    CHAR(65 + k % 6), 'normal', 'n', k + 1, 'kiosk',
    IF(k % 20 = 7, 'cancelled', 'done'), IF(k % 20 = 7, NULL, IF(k % 20 = 3, 'no_show', 'done')),
    IF(k % 20 = 7, NULL, 1 + k % 7), IF(k % 20 = 7, NULL, 1 + k % 7), IF(k % 20 = 7, 0, 1),
    t,
    IF(k % 20 = 7, NULL, t + INTERVAL (k * 37 % 2400) SECOND),
    IF(k % 20 IN (3, 7), NULL, t + INTERVAL (k * 37 % 2400 + 40) SECOND),
    IF(k % 20 = 7, NULL, t + INTERVAL (k * 37 % 2400 + 160 + k * 53 % 1200) SECOND),
    t
  FROM (SELECT d, k, TIMESTAMP(d, '08:30:00') + INTERVAL (k * 13 % 28800) SECOND t
        FROM (SELECT @from + INTERVAL (seq % 30) DAY d, seq DIV 30 k FROM seq_0_to_149999) s) x;

INSERT INTO cases (no, hall, channel, item, title, status, applicant_name_enc,
    applicant_name_mask, applicant_id_enc, applicant_id_hash, applicant_id_mask,
    applicant_phone_enc, applicant_phone_hash, applicant_phone_mask, window_no, accepted_at,
    promised_days, deadline, decision, decided_at, closed_at, created_at, updated_at)
  SELECT CONCAT('CITY-', DATE_FORMAT(DATE(t), '%Y%m%d'), '-', LPAD(seq, 5, '0')), 'demo',
    IF(seq % 7 = 0, 'online', 'window'),
    ELT(seq % 6 + 1, 'IT-A-001', 'IT-B-001', 'IT-C-001', 'IT-D-001', 'IT-E-001', 'IT-F-003'),
    '生成的办件', ELT(seq % 4 + 1, 'closed', 'processing', 'approved', 'processing'),
    'x', '张*', 'x', SHA2(CONCAT('CITY-', seq), 256), 'x', 'x', SHA2(CONCAT('CITY-', seq), 256), 'x',
    IF(seq % 7 = 0, NULL, 1 + seq % 8), t, 5, DATE(t) - INTERVAL (seq % 9) DAY + INTERVAL 4 DAY,
    IF(seq % 4 IN (0, 2), 'approved', NULL), IF(seq % 4 IN (0, 2), t + INTERVAL 1 HOUR, NULL),
    IF(seq % 4 = 0, t + INTERVAL 2 HOUR, NULL), t, t
  FROM (SELECT seq, TIMESTAMP(@from + INTERVAL (seq % 30) DAY, '08:40:00')
          + INTERVAL (seq * 53 % 25000) SECOND t FROM seq_0_to_19999) x;
INSERT INTO case_parts (case_id, seq, item, department, promised_days)
  SELECT c.id, 1, c.item, i.department, 5 FROM cases c JOIN items i ON i.id = c.item
  WHERE c.no LIKE 'CITY-%';

INSERT INTO reviews (hall, kind, ticket_id, ref, day, score, attitude, efficiency, created_at)
  SELECT 'demo', 'ticket', id, number, day, IF(seq % 23 = 0, 1, IF(seq % 17 = 0, 2, 3 + seq % 3)),
    3 + seq % 3, 2 + seq % 4, finished_at
  FROM queue_tickets WHERE hall = 'demo' AND day BETWEEN @from AND @to AND outcome = 'done'
    AND token LIKE 'city%' AND seq % 8 = 0;
INSERT INTO review_rectifications (review_id, hall, day, status, deadline, contacted_at, cause,
    fix, closed_at, closed_by, opened_at, updated_at)
  SELECT id, 'demo', day, IF(o, 'open', 'closed'), day + INTERVAL 7 DAY,
    IF(o, NULL, created_at), IF(o, '', '等候过久'), IF(o, '', '高峰增开窗口'),
    IF(o, NULL, created_at + INTERVAL 1 DAY), NULL, created_at, created_at
  FROM (SELECT r.*, (r.day > @to - INTERVAL 7 DAY AND r.id % 3 = 0) o FROM reviews r) reviews WHERE hall = 'demo' AND day BETWEEN @from AND @to AND ref LIKE '_%' AND score <= 2
    AND ticket_id IN (SELECT id FROM queue_tickets WHERE token LIKE 'city%');
COMMIT;
