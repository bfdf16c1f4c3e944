-- 134_queue_take_record.sql — a ticket's record in one round trip (issue 24, item 3).
-- Taking a number wrote its row, its history row and its audit row as five statements to
-- MariaDB (START TRANSACTION, three INSERTs, COMMIT), each a round trip.  The app now sends
-- one prepared CALL of this procedure, which runs the same transaction on the server: all
-- three rows or none (any error rolls back and is raised again as it was — a duplicate
-- number is still 1062, so the app goes on above the day's highest as before).
-- SQL SECURITY INVOKER: it runs with the app account's own rights (INSERT on the three
-- tables); the account gets EXECUTE on it from yichuang-admin migrate's grants.
-- Additive: a procedure (CREATE OR REPLACE: the file can run again); no table changes.
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
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    START TRANSACTION;
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
    COMMIT;
END;
