-- 120_review_loop.sql — the review loop closes (issue 19, item 8).
--
--   * A rectification task gains a 复核 step: recording the fix (POST …/close) leaves the task
--     'fixed' (fixed_at, fixed_by); a second manager of the hall, not the one who recorded the
--     fix, checks it (POST …/check): passed → 'closed' (it counts: closed_at, closed_by = the
--     checker, late when passed after the deadline), rejected → 'open' again with the reason in
--     check_note.  Every step keeps its history row (review_rectification_history).
--   * overdue_alerted_at: the overdue job (reviews-overdue) raised the hall's alert for the
--     task once; a guarded UPDATE … WHERE overdue_alerted_at IS NULL lets only one worker do it.
--   * outcome_sms_at: the reviewer was sent the outcome (review_rectified) when the fix passed.
-- Additive only: one more status value (at the end), new nullable columns.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE review_rectifications
    MODIFY COLUMN status ENUM('open','closed','fixed') NOT NULL DEFAULT 'open'
        COMMENT 'open → fixed (fix recorded) → closed (复核 passed); fixed → open (复核 rejected)',
    ADD COLUMN fixed_at DATETIME NULL COMMENT 'when the fix was recorded for 复核',
    ADD COLUMN fixed_by VARCHAR(48) NULL COMMENT 'staff id who recorded the fix (may not check it)',
    ADD COLUMN checked_at DATETIME NULL COMMENT 'the last 复核',
    ADD COLUMN checked_by VARCHAR(48) NULL COMMENT 'staff id of the last 复核',
    ADD COLUMN check_note VARCHAR(500) NOT NULL DEFAULT '' COMMENT 'the last 复核''s note (why rejected)',
    ADD COLUMN rejections SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '复核 rejections so far',
    ADD COLUMN overdue_alerted_at DATETIME NULL COMMENT 'the overdue alert was raised (once)',
    ADD COLUMN outcome_sms_at DATETIME NULL COMMENT 'the reviewer was told the outcome by SMS',
    ADD KEY k_rectify_overdue (status, deadline, overdue_alerted_at);
