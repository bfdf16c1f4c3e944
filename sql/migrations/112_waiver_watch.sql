-- 112_waiver_watch.sql — 容缺受理 that is watched (issue 19, item 1).
-- A waived (容缺) material has a due date the applicant committed to.  The worker job
-- cases-waivers (modules/cases/case_waivers.c) reminds the applicant by SMS on the working
-- day before it and, once it has passed with the material still awaited, tells the clerk who
-- accepted the case and the hall's managers.  Each of those happens once per case and due
-- date: the primary key below is the guard, written in the same transaction as the SMS.
-- The list of overdue 容缺 materials (GET /case-waivers) reads case_materials by state and due.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE case_waiver_notices (
    case_id     BIGINT UNSIGNED  NOT NULL,
    due         DATE             NOT NULL COMMENT 'the 容缺 due date the notice is about',
    kind        ENUM('reminder','overdue') NOT NULL COMMENT 'reminder: SMS to the applicant (and agent) the working day before; overdue: clerk and managers told',
    at          DATETIME         NOT NULL COMMENT 'hall time the worker wrote it',
    PRIMARY KEY (case_id, due, kind),
    CONSTRAINT fk_case_waiver_notices_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='容缺 reminders and overdue notices already given: once per case and due date';

ALTER TABLE case_materials
    ADD KEY k_case_materials_waived (state, due);
