-- 050_cases.sql — cases (办件): one-window acceptance, back-office processing, pickup and mail.
--
-- The model, with what later issues add in mind:
--   * cases: one row per application, its status the one state machine every transition
--     guards (UPDATE … WHERE id = ? AND status = ?).  submitted/returned come before accepted
--     for online applications (全程网办); a bundle (一件事一次办) has bundle set and item NULL.
--   * case_parts: one row per item (and so per department) of a case — exactly one for a
--     single-item case, several for a bundle; approvers see a case through its parts.
--   * case_materials: what was handed in, waived (容缺, with the applicant's commitment and a
--     due date) or asked for again (补正), per part item.
--   * case_history: every change, in order (the timeline and the tracking steps).
--   * case_tracking: tracking tokens (≥ 128 bits), by hash; sealed so the notice can be
--     reprinted; revocable; several per case (an agent may follow it too).
--   * case_notices: printable notices by their own token — 受理通知书, 一次性告知书 (which exists
--     without any case), 补正告知书.
--   * case_counters: the daily sequence behind readable case numbers DEMO-20261123-0001.
-- Times are hall-local DATETIMEs written by the app from the hall clock.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE case_counters (
    hall        VARCHAR(32)  NOT NULL,
    day         DATE         NOT NULL,
    last        INT UNSIGNED NOT NULL,
    PRIMARY KEY (hall, day),
    CONSTRAINT fk_case_counters_hall FOREIGN KEY (hall) REFERENCES halls (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='per hall and day: the last case sequence number handed out';

CREATE TABLE cases (
    id                    BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    no                    VARCHAR(48)       NOT NULL COMMENT 'readable, unique across halls: <HALL>-<YYYYMMDD>-<seq>',
    hall                  VARCHAR(32)       NOT NULL COMMENT 'the accepting hall',
    channel               ENUM('window','online') NOT NULL DEFAULT 'window',
    item                  VARCHAR(40)       NULL COMMENT 'single-item case; NULL for a bundle',
    bundle                VARCHAR(40)       NULL COMMENT '一件事一次办 bundle id (issue 11)',
    title                 VARCHAR(200)      NOT NULL COMMENT 'item or bundle name when filed',
    status                ENUM('submitted','returned','accepted','processing','supplement_needed',
                               'approved','rejected','ready','mailed','closed') NOT NULL,
    applicant_name_enc    VARBINARY(255)    NOT NULL,
    applicant_name_mask   VARCHAR(64)       NOT NULL,
    applicant_id_enc      VARBINARY(255)    NOT NULL,
    applicant_id_hash     CHAR(64)          NOT NULL COMMENT 'pii_hash("id_number", …)',
    applicant_id_mask     VARCHAR(32)       NOT NULL,
    applicant_phone_enc   VARBINARY(255)    NOT NULL,
    applicant_phone_hash  CHAR(64)          NOT NULL COMMENT 'pii_hash("phone", …)',
    applicant_phone_mask  VARCHAR(32)       NOT NULL,
    citizen               VARCHAR(48)       NULL COMMENT 'the signed-in citizen who applied online',
    delivery              ENUM('pickup','mail') NOT NULL DEFAULT 'pickup',
    address_enc           VARBINARY(255)    NULL COMMENT 'mail delivery address, sealed',
    address_mask          VARCHAR(100)      NULL,
    ticket                VARCHAR(64)       NULL COMMENT 'queue ticket served at acceptance',
    window_no             SMALLINT UNSIGNED NULL COMMENT 'accepting window',
    accepted_by           BIGINT UNSIGNED   NULL,
    accepted_at           DATETIME          NULL,
    promised_days         SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    deadline              DATE              NULL COMMENT 'promised days from acceptance, + paused working days',
    paused_since          DATE              NULL COMMENT 'set while waiting for a supplement (补正): the clock stops',
    paused_days           SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    warning               ENUM('green','yellow','red') NOT NULL DEFAULT 'green' COMMENT '电子监察, kept by the worker',
    warned_at             DATETIME          NULL,
    decision              ENUM('approved','rejected') NULL,
    decided_at            DATETIME          NULL,
    decided_by            BIGINT UNSIGNED   NULL,
    decision_note         VARCHAR(500)      NULL COMMENT 'rejection reason, or the decision''s reference',
    cross_province        TINYINT(1)        NOT NULL DEFAULT 0 COMMENT '跨省通办: 收受分离',
    processing_office     VARCHAR(100)      NULL COMMENT 'cross-province: the office that decides',
    pickup_window         SMALLINT UNSIGNED NULL,
    pickup_code_hash      CHAR(64)          NULL,
    ready_at              DATETIME          NULL,
    handed_over_at        DATETIME          NULL,
    handed_over_by        BIGINT UNSIGNED   NULL,
    mail_carrier          VARCHAR(32)       NULL,
    mail_tracking_no      VARCHAR(40)       NULL,
    mailed_at             DATETIME          NULL,
    closed_at             DATETIME          NULL,
    version               INT UNSIGNED      NOT NULL DEFAULT 0,
    created_at            DATETIME          NOT NULL,
    updated_at            DATETIME          NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_cases_no (no),
    KEY k_cases_hall_status (hall, status, deadline),
    KEY k_cases_hall_accepted (hall, accepted_at),
    KEY k_cases_active_deadline (status, deadline),
    KEY k_cases_applicant_id (applicant_id_hash),
    KEY k_cases_applicant_phone (applicant_phone_hash),
    KEY k_cases_citizen (citizen),
    CONSTRAINT fk_cases_hall FOREIGN KEY (hall) REFERENCES halls (code),
    CONSTRAINT fk_cases_item FOREIGN KEY (item) REFERENCES items (id),
    CONSTRAINT fk_cases_accepted_by FOREIGN KEY (accepted_by) REFERENCES staff (id),
    CONSTRAINT chk_cases_what CHECK (item IS NOT NULL OR bundle IS NOT NULL),
    CONSTRAINT chk_cases_cross CHECK (cross_province IN (0, 1)),
    CONSTRAINT chk_cases_mail CHECK (delivery = 'pickup' OR address_enc IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='办件';

CREATE TABLE case_parts (
    case_id        BIGINT UNSIGNED   NOT NULL,
    seq            TINYINT UNSIGNED  NOT NULL,
    item           VARCHAR(40)       NOT NULL,
    department     VARCHAR(32)       NOT NULL,
    status         ENUM('pending','processing','supplement_needed','approved','rejected') NOT NULL DEFAULT 'pending',
    promised_days  SMALLINT UNSIGNED NOT NULL,
    deadline       DATE              NULL,
    assigned_to    BIGINT UNSIGNED   NULL,
    decided_at     DATETIME          NULL,
    decided_by     BIGINT UNSIGNED   NULL,
    PRIMARY KEY (case_id, seq),
    UNIQUE KEY uk_case_parts_item (case_id, item),
    KEY k_case_parts_department (department, case_id),
    CONSTRAINT fk_case_parts_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE,
    CONSTRAINT fk_case_parts_item FOREIGN KEY (item) REFERENCES items (id),
    CONSTRAINT fk_case_parts_department FOREIGN KEY (department) REFERENCES departments (code),
    CONSTRAINT fk_case_parts_assigned FOREIGN KEY (assigned_to) REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='one part per item (department) of a case; a bundle has several';

CREATE TABLE case_materials (
    case_id      BIGINT UNSIGNED  NOT NULL,
    item         VARCHAR(40)      NOT NULL,
    code         VARCHAR(16)      NOT NULL,
    name         VARCHAR(200)     NOT NULL COMMENT 'as listed when filed',
    required     TINYINT(1)       NOT NULL,
    state        ENUM('received','waived','requested','absent') NOT NULL,
    due          DATE             NULL COMMENT 'waived: the date the applicant committed to',
    committed_at DATETIME         NULL COMMENT 'waived: when the applicant signed the commitment (容缺承诺)',
    received_at  DATETIME         NULL,
    upload_id    VARCHAR(64)      NULL COMMENT 'online applications (issue 11)',
    PRIMARY KEY (case_id, item, code),
    CONSTRAINT fk_case_materials_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE,
    CONSTRAINT chk_case_materials_waived CHECK (state <> 'waived' OR (due IS NOT NULL AND committed_at IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='materials of a case: received, waived (容缺) or requested again (补正)';

CREATE TABLE case_history (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    case_id      BIGINT UNSIGNED NOT NULL,
    at           DATETIME        NOT NULL,
    action       VARCHAR(32)     NOT NULL COMMENT 'accept, assign, approve, … or warning',
    from_status  VARCHAR(24)     NULL,
    to_status    VARCHAR(24)     NOT NULL,
    department   VARCHAR(32)     NULL,
    actor_kind   ENUM('staff','citizen','system') NOT NULL,
    actor        VARCHAR(48)     NOT NULL DEFAULT '' COMMENT 'staff id or citizen id',
    actor_name   VARCHAR(50)     NOT NULL DEFAULT '',
    note         VARCHAR(500)    NOT NULL DEFAULT '' COMMENT 'for staff',
    public_note  VARCHAR(500)    NOT NULL DEFAULT '' COMMENT 'shown to the applicant on the tracking page',
    PRIMARY KEY (id),
    KEY k_case_history_case (case_id, id),
    CONSTRAINT fk_case_history_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the timeline of each case (one row per change)';

CREATE TABLE case_supplements (
    id            BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT,
    case_id       BIGINT UNSIGNED  NOT NULL,
    requested_at  DATETIME         NOT NULL,
    requested_by  BIGINT UNSIGNED  NOT NULL,
    materials     JSON             NOT NULL COMMENT '[{"code","name"}]',
    note          VARCHAR(500)     NOT NULL DEFAULT '',
    received_at   DATETIME         NULL,
    received_by   BIGINT UNSIGNED  NULL,
    paused_days   SMALLINT UNSIGNED NULL COMMENT 'working days the clock stood still',
    PRIMARY KEY (id),
    KEY k_case_supplements_case (case_id),
    CONSTRAINT fk_case_supplements_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='补正: requests for more materials and when they came';

CREATE TABLE case_tracking (
    token_hash  CHAR(64)        NOT NULL COMMENT 'SHA-256 of the token, hex',
    case_id     BIGINT UNSIGNED NOT NULL,
    token_enc   VARBINARY(255)  NOT NULL COMMENT 'sealed, to print it again on the notice',
    holder      ENUM('applicant','agent') NOT NULL DEFAULT 'applicant',
    created_at  DATETIME        NOT NULL,
    revoked_at  DATETIME        NULL,
    PRIMARY KEY (token_hash),
    KEY k_case_tracking_case (case_id),
    CONSTRAINT fk_case_tracking_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='tracking tokens (QR / SMS link); revocable';

CREATE TABLE case_notices (
    token_hash      CHAR(64)          NOT NULL,
    token_enc       VARBINARY(255)    NOT NULL,
    kind            ENUM('accepted','incomplete','supplement') NOT NULL,
    hall            VARCHAR(32)       NOT NULL,
    item            VARCHAR(40)       NOT NULL,
    case_id         BIGINT UNSIGNED   NULL COMMENT 'NULL for a 一次性告知书: no case exists',
    applicant_mask  VARCHAR(64)       NOT NULL DEFAULT '',
    materials       JSON              NULL COMMENT 'incomplete / supplement: [{"code","name","form","copies","note"}]',
    note            VARCHAR(500)      NOT NULL DEFAULT '',
    window_no       SMALLINT UNSIGNED NULL,
    created_by      BIGINT UNSIGNED   NULL,
    created_at      DATETIME          NOT NULL,
    PRIMARY KEY (token_hash),
    KEY k_case_notices_case (case_id),
    CONSTRAINT fk_case_notices_hall FOREIGN KEY (hall) REFERENCES halls (code),
    CONSTRAINT fk_case_notices_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='printable notices: 受理通知书, 一次性告知书, 补正告知书';

-- Staff phones for the overdue warnings (电子监察), sealed; optional.
ALTER TABLE staff
    ADD COLUMN phone_enc  VARBINARY(255) NULL COMMENT 'sealed mobile number for work notices',
    ADD COLUMN phone_mask VARCHAR(32)    NULL;
