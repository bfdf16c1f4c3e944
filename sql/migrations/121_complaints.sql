-- 121_complaints.sql — 投诉 (issue 19, item 7): a signed-in citizen complains from the phone
-- about a case, a ticket (a visit) or the hall itself; the hall's managers assign it to a
-- member of staff, who answers it within complaint_answer_days working days of the hall
-- calendar; the citizen is told the answer by SMS (complaint_answered) and sees it on
-- /complaint.html.  The overdue job (reviews-overdue) raises the hall's alert once for a
-- complaint still unanswered after its deadline.  modules/reviews/complaints*.c.
--
-- status open → assigned → answered; a manager may reassign while not answered.  Every
-- change is a guarded UPDATE … WHERE status … with its complaint_history row, in one
-- transaction with the audit row and (answered) the outbox row.  The text is kept as given
-- (at most 500 characters); the citizen's phone is not copied here: the SMS goes to the
-- account's bound phone (citizens.phone_enc, sealed).
-- Additive only: new tables.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE complaints (
    id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    hall               VARCHAR(32)     NOT NULL,
    citizen            BIGINT UNSIGNED NOT NULL,
    about              ENUM('case','ticket','hall') NOT NULL,
    ref                VARCHAR(48)     NOT NULL DEFAULT '' COMMENT 'the case number or ticket number complained about; empty for the hall',
    body               VARCHAR(2000)   NOT NULL COMMENT 'the complaint, up to 500 characters',
    status             ENUM('open','assigned','answered') NOT NULL DEFAULT 'open',
    day                DATE            NOT NULL COMMENT 'hall day it was filed',
    deadline           DATE            NULL COMMENT 'complaint_answer_days working days on; NULL when the calendar year is not loaded',
    assigned_to        BIGINT UNSIGNED NULL COMMENT 'staff id answering it',
    assigned_at        DATETIME        NULL,
    answer             VARCHAR(2000)   NOT NULL DEFAULT '' COMMENT 'up to 500 characters',
    answered_at        DATETIME        NULL,
    answered_by        BIGINT UNSIGNED NULL,
    late               TINYINT(1)      NOT NULL DEFAULT 0 COMMENT 'answered after its deadline',
    overdue_alerted_at DATETIME        NULL COMMENT 'the overdue alert was raised (once)',
    version            INT UNSIGNED    NOT NULL DEFAULT 0,
    created_at         DATETIME        NOT NULL,
    updated_at         DATETIME        NOT NULL,
    PRIMARY KEY (id),
    KEY k_complaints_citizen (citizen, id),
    KEY k_complaints_hall_status (hall, status, deadline),
    KEY k_complaints_overdue (status, deadline, overdue_alerted_at),
    CONSTRAINT fk_complaints_hall FOREIGN KEY (hall) REFERENCES halls (code),
    CONSTRAINT fk_complaints_citizen FOREIGN KEY (citizen) REFERENCES citizens (id),
    CONSTRAINT fk_complaints_assignee FOREIGN KEY (assigned_to) REFERENCES staff (id),
    CONSTRAINT chk_complaints_answered CHECK ((status = 'answered') = (answered_at IS NOT NULL)),
    CONSTRAINT chk_complaints_assigned CHECK (status = 'open' OR assigned_to IS NOT NULL),
    CONSTRAINT chk_complaints_ref CHECK ((about = 'hall') = (ref = ''))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='投诉: a citizen''s complaint and its answer';

CREATE TABLE complaint_history (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    complaint  BIGINT UNSIGNED NOT NULL,
    at         DATETIME        NOT NULL,
    action     VARCHAR(16)     NOT NULL COMMENT 'open, assign, answer, overdue',
    actor      VARCHAR(48)     NOT NULL DEFAULT '' COMMENT 'staff id, citizen:<id>, or "" for the system',
    note       VARCHAR(500)    NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY k_complaint_history (complaint, id),
    CONSTRAINT fk_complaint_history FOREIGN KEY (complaint) REFERENCES complaints (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='history of every complaint';
