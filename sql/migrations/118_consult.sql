-- 118_consult.sql — 咨询导办 and 首问负责 (issue 19 item 6).  modules/consult/.
--
--   * categories gain a kind: 'service' (a line of business, as every existing one) or
--     'consult' (咨询导办: the citizen asks what to do and what to bring).  A consult window
--     (windows.kind = 'consult') calls the consult categories it is given in
--     window_categories, like any window.
--   * consult_records: the short record a clerk writes when finishing a consult ticket at a
--     consult window — the question, the item it concerns (optional), the answer, and the
--     referral (to a window, a department or a member of staff), in the transaction that
--     finishes the ticket.  One record per ticket.  The clerk who wrote it is the first-asked
--     (首问负责): responsible until the referral is accepted by whom it went to
--     (ref_status open → accepted, a guarded UPDATE, audited).
-- Additive only: a new column with a default, a new table.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE categories
    ADD COLUMN kind ENUM('service','consult') NOT NULL DEFAULT 'service'
        COMMENT 'consult: 咨询导办 tickets, called at consult windows';

CREATE TABLE consult_records (
    id            BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    hall          VARCHAR(32)       NOT NULL,
    ticket_id     BIGINT UNSIGNED   NOT NULL,
    window_no     SMALLINT UNSIGNED NOT NULL COMMENT 'the consult window',
    clerk         BIGINT UNSIGNED   NOT NULL COMMENT 'staff.id of the first-asked clerk (首问负责)',
    question      VARCHAR(500)      NOT NULL,
    item          VARCHAR(40)       NULL COMMENT 'items.id the question concerns',
    answer        VARCHAR(1000)     NOT NULL,
    ref_kind      ENUM('window','department','staff') NULL COMMENT 'referred to; NULL: answered, no referral',
    ref_window    SMALLINT UNSIGNED NULL,
    ref_department VARCHAR(32)      NULL,
    ref_staff     BIGINT UNSIGNED   NULL,
    ref_status    ENUM('open','accepted') NULL COMMENT 'NULL without a referral',
    accepted_by   BIGINT UNSIGNED   NULL COMMENT 'staff.id who accepted the referral',
    accepted_at   DATETIME(3)       NULL,
    created_at    DATETIME(3)       NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_consult_ticket (ticket_id),
    KEY k_consult_open (hall, ref_status, created_at),
    KEY k_consult_clerk (clerk, ref_status),
    CONSTRAINT fk_consult_ticket FOREIGN KEY (ticket_id) REFERENCES queue_tickets (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_consult_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_consult_item FOREIGN KEY (item) REFERENCES items (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_consult_clerk FOREIGN KEY (clerk) REFERENCES staff (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_consult_dept FOREIGN KEY (ref_department) REFERENCES departments (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_consult_ref_staff FOREIGN KEY (ref_staff) REFERENCES staff (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_consult_ref CHECK (
        (ref_kind IS NULL AND ref_status IS NULL) OR
        (ref_kind = 'window' AND ref_window IS NOT NULL AND ref_status IS NOT NULL) OR
        (ref_kind = 'department' AND ref_department IS NOT NULL AND ref_status IS NOT NULL) OR
        (ref_kind = 'staff' AND ref_staff IS NOT NULL AND ref_status IS NOT NULL)),
    CONSTRAINT chk_consult_accepted CHECK (
        (ref_status = 'accepted') = (accepted_by IS NOT NULL AND accepted_at IS NOT NULL)
        OR ref_status IS NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='咨询导办 records and their referrals (首问负责)';
