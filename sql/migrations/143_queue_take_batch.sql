-- 143_queue_take_batch.sql — several taken numbers' records in one transaction (issue 24, item 3).
-- When numbers are taken faster than one commit lasts, an app process writes the takes that
-- are waiting for their commit together (modules/queue/take.c, "group commit"): one CALL of
-- this procedure with the takes as a JSON array writes every ticket's row, its history row
-- and its audit row — the same rows queue_take_record (134) writes for one — in one
-- transaction: one statement per table and one commit for them all, instead of one commit
-- per number.  All or nothing: any error (a number already in the record, the citizen's one
-- active ticket) rolls the whole batch back and is raised again as it was, and the app then
-- writes each take of the batch on its own with queue_take_record, which gives each its own
-- answer exactly as before.
-- Each element: token, hall, day, cat, seq, number, priority, line, rank, source, citizen,
-- phone_hex (a sealed phone given at the kiosk, hex), citizen_phone (1: copy the citizen
-- account's sealed phone), appointment, at, actor_kind, actor, detail, and the audit row's
-- a_at, a_hall, a_kind, a_actor, a_action, a_target, a_result, a_addr, a_detail.  A member
-- left out is NULL.
-- SQL SECURITY INVOKER: the app account's own rights; EXECUTE comes from the migration's
-- grants.  Additive: a procedure (CREATE OR REPLACE); no table changes.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE OR REPLACE PROCEDURE queue_take_batch(IN p_takes LONGTEXT)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'taken numbers: their rows, history and audit in one transaction'
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    START TRANSACTION;
    INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number, category, priority,
        line, rank_score, source, citizen, phone_enc, appointment, taken_at, updated_at)
    SELECT j.token, j.hall, j.day, j.cat, j.seq, j.number, j.cat, j.priority, j.line, j.rnk,
        j.source, j.citizen,
        IF(j.citizen_phone = 1, (SELECT c.phone_enc FROM citizens c WHERE c.id = j.citizen),
           UNHEX(j.phone_hex)),
        j.appointment, j.at, j.at
    FROM JSON_TABLE(p_takes, '$[*]' COLUMNS (
        n             FOR ORDINALITY,
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
        at            DATETIME(3)  PATH '$.at')) j
    ORDER BY j.n;
    INSERT INTO queue_ticket_history (ticket_id, at, action, from_status, to_status,
        window_no, actor_kind, actor, detail)
    SELECT t.id, j.at, 'take', NULL, 'waiting', NULL, j.actor_kind, j.actor, j.detail
    FROM JSON_TABLE(p_takes, '$[*]' COLUMNS (
        n             FOR ORDINALITY,
        token         VARCHAR(32)  PATH '$.token',
        at            DATETIME(3)  PATH '$.at',
        actor_kind    VARCHAR(16)  PATH '$.actor_kind',
        actor         VARCHAR(48)  PATH '$.actor',
        detail        VARCHAR(200) PATH '$.detail')) j
    JOIN queue_tickets t ON t.token = j.token
    ORDER BY j.n;
    INSERT INTO audit_log (at, hall, actor_kind, actor, action, target, result, remote_addr,
        detail)
    SELECT j.a_at, j.a_hall, j.a_kind, j.a_actor, j.a_action, j.a_target, j.a_result, j.a_addr,
        j.a_detail
    FROM JSON_TABLE(p_takes, '$[*]' COLUMNS (
        n             FOR ORDINALITY,
        a_at          DATETIME(3)  PATH '$.a_at',
        a_hall        VARCHAR(32)  PATH '$.a_hall',
        a_kind        VARCHAR(16)  PATH '$.a_kind',
        a_actor       VARCHAR(64)  PATH '$.a_actor',
        a_action      VARCHAR(64)  PATH '$.a_action',
        a_target      VARCHAR(128) PATH '$.a_target',
        a_result      VARCHAR(32)  PATH '$.a_result',
        a_addr        VARCHAR(45)  PATH '$.a_addr',
        a_detail      VARCHAR(500) PATH '$.a_detail')) j
    ORDER BY j.n;
    COMMIT;
END;
