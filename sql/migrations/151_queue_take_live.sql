-- 151_queue_take_live.sql — a number taken now no longer pays the statistics' insert trigger
-- (issue 24, item 3).
-- Migration 150's trigger trg_queue_stats_ins removed a (hall, day)'s packed figures
-- (stats_ticket_days) on every ticket inserted: a DELETE on every number taken, which cost
-- take-a-number 15-20% of its rate flat out (alternating runs on one stack: 3,245 / 2,766,
-- 3,165 / 2,463, 2,714 / 2,402 a second without / with it).  A number taken now belongs to
-- the hall's today, and a day is packed only once it has ended with every ticket finished
-- (modules/stats/stats_days.c): the live take can never touch a packed day.  So the two
-- procedures that write taken numbers (queue_take_record, 134; queue_take_batch, 143; the
-- same rows as before) mark their inserts with the session variable @yc_live_take, set only
-- between their START TRANSACTION and COMMIT (and cleared when they fail), and the trigger
-- skips the DELETE for them.  Every other insert — a correction by hand, a reload, a test's
-- rows for a past day, the app's own take with an idempotency key or a check-in (take_tx) —
-- still removes the day's packed row, as in 150.
-- queue_take_batch also reads its JSON without ORDER BY j.n: the ordering made MariaDB sort
-- the rows and fetch each again by position, and a JSON_TABLE fetches a row by position by
-- parsing the document from its start again — of MariaDB's time on a batch, about a fifth
-- went there (perf), and a batch of 12 cost 0.21 ms a ticket against 0.14-0.16 ms without it
-- (one client, 960 tickets, alternating).  The rows still go in the array's order, as
-- JSON_TABLE reads it; nothing relies on the ids' order among the takes of one batch (a
-- line's order is rank_score, each history row names its ticket).
-- Additive: the procedures are replaced (CREATE OR REPLACE), the trigger dropped and made
-- again; no table changes.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE OR REPLACE PROCEDURE queue_take_record(
    IN p_token       VARCHAR(32),
    IN p_hall        VARCHAR(32),
    IN p_day         DATE,
    IN p_cat         CHAR(1),
    IN p_seq         SMALLINT UNSIGNED,
    IN p_number      VARCHAR(8),
    IN p_priority    VARCHAR(16),
    IN p_line        CHAR(1),
    IN p_rank        BIGINT UNSIGNED,
    IN p_source      VARCHAR(16),
    IN p_citizen     VARCHAR(48),
    IN p_phone_enc   VARBINARY(255),
    IN p_citizen_phone TINYINT,        -- 1: copy the citizen account's sealed phone
    IN p_appointment VARCHAR(64),
    IN p_at          DATETIME(3),
    IN p_actor_kind  VARCHAR(16),
    IN p_actor       VARCHAR(48),
    IN p_detail      VARCHAR(200),
    IN a_at          DATETIME(3),
    IN a_hall        VARCHAR(32),
    IN a_kind        VARCHAR(16),
    IN a_actor       VARCHAR(64),
    IN a_action      VARCHAR(64),
    IN a_target      VARCHAR(128),
    IN a_result      VARCHAR(32),
    IN a_addr        VARCHAR(45),
    IN a_detail      VARCHAR(500))
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'a taken number: its row, history and audit in one transaction'
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
        BEGIN SET @yc_live_take = NULL; ROLLBACK; RESIGNAL; END;
    START TRANSACTION;
    SET @yc_live_take = 1;
    INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number, category, priority,
        line, rank_score, source, citizen, phone_enc, appointment, taken_at, updated_at)
    VALUES (p_token, p_hall, p_day, p_cat, p_seq, p_number, p_cat, p_priority, p_line, p_rank,
        p_source, p_citizen,
        IF(p_citizen_phone = 1, (SELECT c.phone_enc FROM citizens c WHERE c.id = p_citizen),
           p_phone_enc),
        p_appointment, p_at, p_at);
    INSERT INTO queue_ticket_history (ticket_id, at, action, from_status, to_status,
        window_no, actor_kind, actor, detail)
    VALUES (LAST_INSERT_ID(), p_at, 'take', NULL, 'waiting', NULL, p_actor_kind, p_actor,
        p_detail);
    INSERT INTO audit_log (at, hall, actor_kind, actor, action, target, result, remote_addr,
        detail)
    VALUES (a_at, a_hall, a_kind, a_actor, a_action, a_target, a_result, a_addr, a_detail);
    SET @yc_live_take = NULL;
    COMMIT;
END;

CREATE OR REPLACE PROCEDURE queue_take_batch(IN p_takes LONGTEXT)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'taken numbers: their rows, history and audit in one transaction'
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
        BEGIN SET @yc_live_take = NULL; ROLLBACK; RESIGNAL; END;
    START TRANSACTION;
    SET @yc_live_take = 1;
    INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number, category, priority,
        line, rank_score, source, citizen, phone_enc, appointment, taken_at, updated_at)
    SELECT j.token, j.hall, j.day, j.cat, j.seq, j.number, j.cat, j.priority, j.line, j.rnk,
        j.source, j.citizen,
        IF(j.citizen_phone = 1, (SELECT c.phone_enc FROM citizens c WHERE c.id = j.citizen),
           UNHEX(j.phone_hex)),
        j.appointment, j.at, j.at
    FROM JSON_TABLE(p_takes, '$[*]' COLUMNS (
        token         VARCHAR(32)  PATH '$.token',
        hall          VARCHAR(32)  PATH '$.hall',
        day           DATE         PATH '$.day',
        cat           CHAR(1)      PATH '$.cat',
        seq           INT          PATH '$.seq',
        number        VARCHAR(8)   PATH '$.number',
        priority      VARCHAR(16)  PATH '$.priority',
        line          CHAR(1)      PATH '$.line',
        rnk           BIGINT UNSIGNED PATH '$.rank',
        source        VARCHAR(16)  PATH '$.source',
        citizen       VARCHAR(48)  PATH '$.citizen',
        phone_hex     VARCHAR(512) PATH '$.phone_hex',
        citizen_phone INT          PATH '$.citizen_phone',
        appointment   VARCHAR(64)  PATH '$.appointment',
        at            DATETIME(3)  PATH '$.at')) j;
    INSERT INTO queue_ticket_history (ticket_id, at, action, from_status, to_status,
        window_no, actor_kind, actor, detail)
    SELECT t.id, j.at, 'take', NULL, 'waiting', NULL, j.actor_kind, j.actor, j.detail
    FROM JSON_TABLE(p_takes, '$[*]' COLUMNS (
        token         VARCHAR(32)  PATH '$.token',
        at            DATETIME(3)  PATH '$.at',
        actor_kind    VARCHAR(16)  PATH '$.actor_kind',
        actor         VARCHAR(48)  PATH '$.actor',
        detail        VARCHAR(200) PATH '$.detail')) j
    JOIN queue_tickets t ON t.token = j.token;
    INSERT INTO audit_log (at, hall, actor_kind, actor, action, target, result, remote_addr,
        detail)
    SELECT j.a_at, j.a_hall, j.a_kind, j.a_actor, j.a_action, j.a_target, j.a_result, j.a_addr,
        j.a_detail
    FROM JSON_TABLE(p_takes, '$[*]' COLUMNS (
        a_at          DATETIME(3)  PATH '$.a_at',
        a_hall        VARCHAR(32)  PATH '$.a_hall',
        a_kind        VARCHAR(16)  PATH '$.a_kind',
        a_actor       VARCHAR(64)  PATH '$.a_actor',
        a_action      VARCHAR(64)  PATH '$.a_action',
        a_target      VARCHAR(128) PATH '$.a_target',
        a_result      VARCHAR(32)  PATH '$.a_result',
        a_addr        VARCHAR(45)  PATH '$.a_addr',
        a_detail      VARCHAR(500) PATH '$.a_detail')) j;
    SET @yc_live_take = NULL;
    COMMIT;
END;

DROP TRIGGER IF EXISTS trg_queue_stats_ins;

CREATE TRIGGER trg_queue_stats_ins AFTER INSERT ON queue_tickets FOR EACH ROW
  IF @yc_live_take IS NULL THEN
    DELETE FROM stats_ticket_days WHERE hall = NEW.hall AND day = NEW.day;
  END IF;
