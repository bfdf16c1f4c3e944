-- 115_promise_checks.sql — 事后核查 of 告知承诺 (issue 19, item 2).
-- One task per material a case took on a signed promise (case_materials.state 'promised'),
-- opened when the case is accepted (at the window, or at the online pre-review) for the
-- department that decides that part, due promise_check_days working days later
-- (due_provisional when counted on the provisional calendar of a year whose holiday notice is
-- not loaded; NULL only when the calendar cannot count it at all).  An approver
-- of the department closes it as 'verified' or 'false'; a false promise is also a case_history
-- row.  alerted_at: when the overdue alert (hall_alerts promise_check:<id>) went up.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE promise_checks (
    id          BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    case_id     BIGINT UNSIGNED   NOT NULL,
    hall        VARCHAR(32)       NOT NULL,
    item        VARCHAR(40)       NOT NULL,
    code        VARCHAR(16)       NOT NULL,
    name        VARCHAR(200)      NOT NULL COMMENT 'the material, as listed when filed',
    department  VARCHAR(32)       NOT NULL COMMENT 'the department that verifies it',
    status      ENUM('open','verified','false') NOT NULL DEFAULT 'open',
    due         DATE              NULL,
    due_provisional TINYINT(1)    NOT NULL DEFAULT 0 COMMENT 'due counted on the provisional calendar of a year whose notice is not loaded',
    opened_at   DATETIME          NOT NULL,
    closed_at   DATETIME          NULL,
    closed_by   BIGINT UNSIGNED   NULL,
    note        VARCHAR(800)      NOT NULL DEFAULT '' COMMENT 'what the check found (staff)',
    alerted_at  DATETIME          NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_promise_checks_material (case_id, item, code),
    KEY k_promise_checks_work (hall, department, status, due),
    CONSTRAINT fk_promise_checks_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE,
    CONSTRAINT fk_promise_checks_department FOREIGN KEY (department) REFERENCES departments (code),
    CONSTRAINT chk_promise_checks_closed CHECK ((status = 'open') = (closed_at IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='告知承诺事后核查: one task per promised material of a case';
