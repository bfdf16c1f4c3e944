-- 117_case_helpers.sql — the 帮办代办 helper's cases (issue 19, item 3).
--   * case_helpers: one row per case and helper: 'filed' when the helper filed the case at
--     the window for the citizen, 'assigned' when a clerk or manager asked the helper to
--     follow it.  The helper's work list (GET /helper/cases) and what a helper may open
--     (GET /cases/{no}) are these rows.
-- Additive only: a new table.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE case_helpers (
    case_id     BIGINT UNSIGNED   NOT NULL,
    staff_id    BIGINT UNSIGNED   NOT NULL COMMENT 'the helper',
    how         ENUM('filed','assigned') NOT NULL,
    by_staff    BIGINT UNSIGNED   NULL COMMENT 'who assigned it (NULL when filed)',
    since       DATETIME          NOT NULL,
    PRIMARY KEY (case_id, staff_id),
    KEY k_case_helpers_staff (staff_id, since),
    CONSTRAINT fk_case_helpers_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE,
    CONSTRAINT fk_case_helpers_staff FOREIGN KEY (staff_id) REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='帮办代办: the cases a helper filed or follows';
