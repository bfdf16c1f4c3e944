-- 070_reviews.sql — 好差评 (reviews of a visit or a case), the rectification of bad reviews
-- (差评整改), and the indexes the hall manager's figures (GET /halls/{hall}/stats) read.
--
-- Invariants, each backed by a unique key:
--   * one review per visit (queue ticket), 一次一评 ............ uk_reviews_ticket
--   * one review per case, 一事一评 ........................... uk_reviews_case
--   * one rectification task per bad review .................. uk_rectify_review
-- A review is about exactly one of the two (chk_reviews_subject).
-- Times are hall-local, written by the app from the hall clock.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE reviews (
    id           BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    hall         VARCHAR(32)       NOT NULL,
    kind         ENUM('ticket','case') NOT NULL,
    ticket_id    BIGINT UNSIGNED   NULL,
    case_id      BIGINT UNSIGNED   NULL,
    ref          VARCHAR(48)       NOT NULL COMMENT 'ticket number (A005) or case number, for the manager',
    day          DATE              NOT NULL COMMENT 'hall day the review was given',
    score        TINYINT UNSIGNED  NOT NULL COMMENT '5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意',
    attitude     TINYINT UNSIGNED  NULL COMMENT '服务态度 1..5',
    efficiency   TINYINT UNSIGNED  NULL COMMENT '服务效率 1..5',
    competence   TINYINT UNSIGNED  NULL COMMENT '业务水平 1..5',
    convenience  TINYINT UNSIGNED  NULL COMMENT '办事便利 1..5',
    transparency TINYINT UNSIGNED  NULL COMMENT '政务公开 1..5',
    comment      VARCHAR(500)      NOT NULL DEFAULT '',
    category     CHAR(1)           NULL COMMENT 'ticket: the line it was served in',
    window_no    SMALLINT UNSIGNED NULL COMMENT 'ticket: the serving window; case: the accepting window',
    clerk        VARCHAR(48)       NULL COMMENT 'ticket: staff id of the serving clerk',
    channel      ENUM('window','phone','tablet') NOT NULL DEFAULT 'phone' COMMENT 'where the review was given',
    created_at   DATETIME(3)       NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_reviews_ticket (ticket_id),
    UNIQUE KEY uk_reviews_case (case_id),
    KEY k_reviews_hall_day (hall, day, score),
    CONSTRAINT fk_reviews_hall FOREIGN KEY (hall) REFERENCES halls (code),
    CONSTRAINT fk_reviews_ticket FOREIGN KEY (ticket_id) REFERENCES queue_tickets (id),
    CONSTRAINT fk_reviews_case FOREIGN KEY (case_id) REFERENCES cases (id),
    CONSTRAINT chk_reviews_subject CHECK ((ticket_id IS NULL) <> (case_id IS NULL)),
    CONSTRAINT chk_reviews_kind CHECK ((kind = 'ticket') = (ticket_id IS NOT NULL)),
    CONSTRAINT chk_reviews_score CHECK (score BETWEEN 1 AND 5),
    CONSTRAINT chk_reviews_ind CHECK (
        (attitude IS NULL OR attitude BETWEEN 1 AND 5) AND
        (efficiency IS NULL OR efficiency BETWEEN 1 AND 5) AND
        (competence IS NULL OR competence BETWEEN 1 AND 5) AND
        (convenience IS NULL OR convenience BETWEEN 1 AND 5) AND
        (transparency IS NULL OR transparency BETWEEN 1 AND 5))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='好差评: one review per visit and per case';

-- A bad review (score 1–2) opens one task, in the same transaction as the review: the
-- manager contacts the citizen, records the cause and the fix, and closes it before the
-- deadline (review_rectify_days working days; NULL when the calendar year is not loaded —
-- the hall then has an alert instead of a guessed date).
CREATE TABLE review_rectifications (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    review_id     BIGINT UNSIGNED NOT NULL,
    hall          VARCHAR(32)     NOT NULL,
    day           DATE            NOT NULL COMMENT 'hall day the task was opened (the review''s)',
    status        ENUM('open','closed') NOT NULL DEFAULT 'open',
    deadline      DATE            NULL,
    contacted_at  DATETIME        NULL,
    contact_note  VARCHAR(500)    NOT NULL DEFAULT '',
    cause         VARCHAR(500)    NOT NULL DEFAULT '',
    fix           VARCHAR(500)    NOT NULL DEFAULT '',
    closed_at     DATETIME        NULL,
    closed_by     VARCHAR(48)     NULL,
    late          TINYINT(1)      NOT NULL DEFAULT 0 COMMENT 'closed after its deadline',
    version       INT UNSIGNED    NOT NULL DEFAULT 0,
    opened_at     DATETIME        NOT NULL,
    updated_at    DATETIME        NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_rectify_review (review_id),
    KEY k_rectify_hall_status (hall, status, deadline),
    KEY k_rectify_hall_day (hall, day),
    CONSTRAINT fk_rectify_review FOREIGN KEY (review_id) REFERENCES reviews (id),
    CONSTRAINT fk_rectify_hall FOREIGN KEY (hall) REFERENCES halls (code),
    CONSTRAINT chk_rectify_closed CHECK ((status = 'closed') = (closed_at IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='差评整改: one task per bad review';

-- Every change of a task, in the same transaction as the change.
CREATE TABLE review_rectification_history (
    id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    task_id   BIGINT UNSIGNED NOT NULL,
    at        DATETIME        NOT NULL,
    action    VARCHAR(16)     NOT NULL COMMENT 'open, contact, record, close',
    actor     VARCHAR(48)     NOT NULL DEFAULT '' COMMENT 'staff id, or "" for the system',
    note      VARCHAR(500)    NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY k_rectify_history (task_id, id),
    CONSTRAINT fk_rectify_history FOREIGN KEY (task_id) REFERENCES review_rectifications (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='history of every rectification task';

-- The figures: cases closed in a period (the accepted ones have k_cases_hall_accepted), and
-- the tickets' times read from an index that covers them (no row lookups for a day of 5,000).
ALTER TABLE cases ADD KEY k_cases_hall_closed (hall, closed_at);
ALTER TABLE queue_tickets ADD KEY k_queue_stats (hall, day, category, window_no, taken_at,
    called_at, started_at, finished_at, status, outcome);
