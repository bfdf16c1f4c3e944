-- 111_results.sql — results you can trust (issue 23): the licence, permit, certificate or
-- decision a case ends with, as a record of its own.  modules/results.c.
--
--   * items gain what their result is: kind, its name (营业执照, 食品经营许可证 …), how many
--     years it is valid (0: no end date) and whether it may be delivered electronically
--     (a PDF the applicant downloads, 全程网办).  Defaults describe a plain decision on paper,
--     so every existing item keeps working unchanged.
--   * results: one row per approved part of a case (recorded in the approving transaction),
--     or one 不予许可决定书 for a rejected case.  vid is the public id the QR carries (80
--     random bits, hex).  A permit of a case that also yields a licence is joined to it
--     (licence_id: 一照通, the licence's QR shows every permit).  status valid → revoked, or
--     valid → replaced (replaced_by points to the new row, the new row's replaces_id back);
--     both changes are guarded UPDATEs and audited.
--   * result_downloads: every electronic delivery (a PDF download by the applicant).
-- Additive only: new columns with defaults, new tables.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE items
    ADD COLUMN result_kind ENUM('licence','permit','certificate','decision') NOT NULL DEFAULT 'decision'
        COMMENT 'what an approved case of this item yields',
    ADD COLUMN result_name VARCHAR(60) NOT NULL DEFAULT ''
        COMMENT 'the result''s name on the document; empty: 准予许可决定书',
    ADD COLUMN result_valid_years TINYINT UNSIGNED NOT NULL DEFAULT 0
        COMMENT 'years from the issue date; 0: no end date',
    ADD COLUMN result_electronic TINYINT(1) NOT NULL DEFAULT 0
        COMMENT '1: the applicant may download the result as a PDF',
    ADD CONSTRAINT chk_items_result_electronic CHECK (result_electronic IN (0, 1));

CREATE TABLE results (
    id             BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    vid            CHAR(20)          NOT NULL COMMENT 'public id in the QR: 10 random bytes, hex',
    hall           VARCHAR(32)       NOT NULL,
    case_id        BIGINT UNSIGNED   NOT NULL,
    item           VARCHAR(40)       NOT NULL,
    department     VARCHAR(32)       NOT NULL,
    kind           ENUM('licence','permit','certificate','decision','refusal') NOT NULL,
    title          VARCHAR(60)       NOT NULL COMMENT 'name on the document',
    number         VARCHAR(64)       NOT NULL COMMENT '<case no>-<part>, a replacement -R<n>',
    holder_mask    VARCHAR(64)       NOT NULL COMMENT 'the applicant''s name, masked',
    issuer         VARCHAR(100)      NOT NULL COMMENT 'the department''s name when issued',
    issued_on      DATE              NOT NULL,
    valid_until    DATE              NULL,
    electronic     TINYINT(1)        NOT NULL DEFAULT 0,
    licence_id     BIGINT UNSIGNED   NULL COMMENT '一照通: the licence this permit is joined to',
    status         ENUM('valid','revoked','replaced') NOT NULL DEFAULT 'valid',
    replaces_id    BIGINT UNSIGNED   NULL,
    replaced_by    BIGINT UNSIGNED   NULL,
    changed_at     DATETIME          NULL COMMENT 'revoked or replaced at',
    changed_by     BIGINT UNSIGNED   NULL,
    change_reason  VARCHAR(600)      NULL COMMENT 'up to 200 characters',
    created_at     DATETIME          NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_results_vid (vid),
    UNIQUE KEY uk_results_number (number),
    KEY k_results_case (case_id),
    KEY k_results_licence (licence_id),
    CONSTRAINT fk_results_case FOREIGN KEY (case_id) REFERENCES cases (id),
    CONSTRAINT fk_results_item FOREIGN KEY (item) REFERENCES items (id),
    CONSTRAINT fk_results_department FOREIGN KEY (department) REFERENCES departments (code),
    CONSTRAINT fk_results_licence FOREIGN KEY (licence_id) REFERENCES results (id),
    CONSTRAINT fk_results_replaces FOREIGN KEY (replaces_id) REFERENCES results (id),
    CONSTRAINT fk_results_replaced_by FOREIGN KEY (replaced_by) REFERENCES results (id),
    CONSTRAINT fk_results_changed_by FOREIGN KEY (changed_by) REFERENCES staff (id),
    CONSTRAINT chk_results_replaced CHECK (status <> 'replaced' OR replaced_by IS NOT NULL),
    CONSTRAINT chk_results_electronic CHECK (electronic IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='办理结果 (证照、决定书), each verifiable by its signed QR';

CREATE TABLE result_downloads (
    id             BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    result_id      BIGINT UNSIGNED   NOT NULL,
    citizen        VARCHAR(48)       NULL COMMENT 'the signed-in applicant',
    staff_id       BIGINT UNSIGNED   NULL COMMENT 'or the staff member who printed it',
    at             DATETIME          NOT NULL,
    PRIMARY KEY (id),
    KEY k_result_downloads_result (result_id, at),
    CONSTRAINT fk_result_downloads_result FOREIGN KEY (result_id) REFERENCES results (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='every electronic delivery of a result (PDF)';

-- 不予受理通知书: the window's written refusal to accept an application (the matter is not
-- this hall's, or the applicant is not eligible), printable like the other notices.  A new
-- value at the end of the enum: every existing row keeps its value.
ALTER TABLE case_notices
    MODIFY kind ENUM('accepted','incomplete','supplement','refused') NOT NULL;
