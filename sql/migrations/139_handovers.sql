-- 139_handovers.sql — hand-overs (交接单) and custody of a case's paper file (issue 22 item 3).
-- modules/handover/.
--
--   * handovers: one sheet — from whom (the side that held the cases: a window, a department's
--     back office, a hall, another province's office) to whom, sent by and when, received
--     (signed) by and when.  status sent → received | received_with_discrepancies, a guarded
--     UPDATE … WHERE status = 'sent'.  The receive token (the sheet's QR) is kept as its
--     SHA-256 (token_hash, for the look-up) and sealed with the instance key (token_enc, for
--     reprinting the sheet), never in the clear.
--   * handover_cases: the cases of a sheet.  open_lock is 1 while the sheet is in transit and
--     NULL once received: the unique key (case_id, open_lock) keeps a case in one open sheet
--     at a time.  missing: the receiver found the file not there.
--   * handover_materials: per case, the materials (a case_materials code, or RESULT for the
--     result) and the pages sent; pages_received / missing / note: the receiver's discrepancy.
--   * case_custody: who holds a case's file now (one row per case once it was first handed
--     over; before that the accepting window, or the accepting hall for an online case).
--   * handover_receive_hours is a configuration key (yichuang.conf), not a table.
-- Additive only: new tables.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE handovers (
    id              BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    from_kind       ENUM('window','department','hall','office') NOT NULL,
    from_hall       VARCHAR(32)       NOT NULL COMMENT 'the hall of the sending side (an office: the hall that deals with it)',
    from_department VARCHAR(32)       NULL,
    from_window     SMALLINT UNSIGNED NULL,
    from_office     VARCHAR(100)      NULL,
    to_kind         ENUM('window','department','hall','office') NOT NULL,
    to_hall         VARCHAR(32)       NOT NULL,
    to_department   VARCHAR(32)       NULL,
    to_window       SMALLINT UNSIGNED NULL,
    to_office       VARCHAR(100)      NULL,
    status          ENUM('sent','received','received_with_discrepancies') NOT NULL DEFAULT 'sent',
    note            VARCHAR(200)      NOT NULL DEFAULT '',
    token_hash      CHAR(64)          NOT NULL COMMENT 'SHA-256 hex of the receive token',
    token_enc       VARBINARY(255)    NOT NULL COMMENT 'the receive token sealed (pii_seal)',
    sent_by         BIGINT UNSIGNED   NOT NULL,
    sent_at         DATETIME          NOT NULL,
    received_by     BIGINT UNSIGNED   NULL,
    received_at     DATETIME          NULL,
    receive_note    VARCHAR(200)      NOT NULL DEFAULT '',
    alerted_at      DATETIME          NULL COMMENT 'the overdue alert was raised (once)',
    PRIMARY KEY (id),
    UNIQUE KEY uk_handovers_token (token_hash),
    KEY k_handovers_to (to_hall, status, sent_at),
    KEY k_handovers_from (from_hall, status, sent_at),
    KEY k_handovers_open (status, alerted_at, sent_at),
    CONSTRAINT fk_handovers_from_hall FOREIGN KEY (from_hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_handovers_to_hall FOREIGN KEY (to_hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_handovers_from_dept FOREIGN KEY (from_department) REFERENCES departments (code),
    CONSTRAINT fk_handovers_to_dept FOREIGN KEY (to_department) REFERENCES departments (code),
    CONSTRAINT fk_handovers_sent_by FOREIGN KEY (sent_by) REFERENCES staff (id),
    CONSTRAINT fk_handovers_received_by FOREIGN KEY (received_by) REFERENCES staff (id),
    CONSTRAINT chk_handovers_to CHECK (
        (to_kind = 'window' AND to_window IS NOT NULL) OR
        (to_kind = 'department' AND to_department IS NOT NULL) OR
        (to_kind = 'hall') OR
        (to_kind = 'office' AND to_office IS NOT NULL)),
    CONSTRAINT chk_handovers_received CHECK (
        (status = 'sent') = (received_by IS NULL AND received_at IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='交接单: a signed hand-over of paper files or results';

CREATE TABLE handover_cases (
    handover_id  BIGINT UNSIGNED  NOT NULL,
    case_id      BIGINT UNSIGNED  NOT NULL,
    seq          SMALLINT UNSIGNED NOT NULL,
    open_lock    TINYINT          NULL DEFAULT 1 COMMENT '1 while the sheet is in transit, NULL after',
    missing      TINYINT(1)       NOT NULL DEFAULT 0 COMMENT 'the receiver found the file not there',
    note         VARCHAR(200)     NOT NULL DEFAULT '',
    PRIMARY KEY (handover_id, case_id),
    UNIQUE KEY uk_handover_cases_open (case_id, open_lock),
    CONSTRAINT fk_handover_cases_handover FOREIGN KEY (handover_id) REFERENCES handovers (id)
        ON DELETE CASCADE,
    CONSTRAINT fk_handover_cases_case FOREIGN KEY (case_id) REFERENCES cases (id)
        ON DELETE CASCADE,
    CONSTRAINT chk_handover_cases_open CHECK (open_lock IS NULL OR open_lock = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the cases of a hand-over sheet';

CREATE TABLE handover_materials (
    handover_id     BIGINT UNSIGNED   NOT NULL,
    case_id         BIGINT UNSIGNED   NOT NULL,
    seq             SMALLINT UNSIGNED NOT NULL,
    item            VARCHAR(40)       NOT NULL DEFAULT '' COMMENT 'case_materials.item; empty for RESULT',
    code            VARCHAR(16)       NOT NULL,
    name            VARCHAR(200)      NOT NULL,
    pages           SMALLINT UNSIGNED NOT NULL,
    pages_received  SMALLINT UNSIGNED NULL COMMENT 'a discrepancy: the pages the receiver counted',
    missing         TINYINT(1)        NOT NULL DEFAULT 0,
    note            VARCHAR(200)      NOT NULL DEFAULT '',
    PRIMARY KEY (handover_id, case_id, code),
    CONSTRAINT fk_handover_materials_case FOREIGN KEY (handover_id, case_id)
        REFERENCES handover_cases (handover_id, case_id) ON DELETE CASCADE,
    CONSTRAINT chk_handover_materials_pages CHECK (pages >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the materials and page counts of each case of a sheet';

CREATE TABLE case_custody (
    case_id       BIGINT UNSIGNED   NOT NULL,
    holder_kind   ENUM('window','department','hall','office') NOT NULL,
    hall          VARCHAR(32)       NOT NULL,
    department    VARCHAR(32)       NULL,
    window_no     SMALLINT UNSIGNED NULL,
    office        VARCHAR(100)      NULL,
    since         DATETIME          NOT NULL,
    handover_id   BIGINT UNSIGNED   NULL COMMENT 'the sheet by which the holder received it',
    in_transit    BIGINT UNSIGNED   NULL COMMENT 'the open sheet it travels on',
    PRIMARY KEY (case_id),
    KEY k_case_custody_holder (hall, holder_kind),
    CONSTRAINT fk_case_custody_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE,
    CONSTRAINT fk_case_custody_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='who holds a case''s paper file now';
