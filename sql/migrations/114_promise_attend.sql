-- 114_promise_attend.sql — two catalogue marks (issue 19, items 2 and 10):
--   * item_materials.promise_allowed: 证明事项告知承诺制 — the applicant may give a signed promise
--     (告知承诺书) in place of this certificate; the deciding department verifies it afterwards
--     (事后核查, table promise_checks in 115).
--   * items.must_attend: the applicant must come in person (婚姻登记: both present); online
--     application refuses such an item and offers a booking instead.
-- A material given as a promise is kept with the state 'promised' (case_materials, and the
-- online form's online_materials); committed_at stays NULL (it marks a 容缺 commitment) —
-- the task's opened_at (115) is when the promise took effect.
-- Additive only: new columns with defaults, one more value at the end of two ENUMs.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE item_materials
  ADD COLUMN promise_allowed TINYINT(1) NOT NULL DEFAULT 0
      COMMENT '告知承诺制: a signed promise may replace this material',
  ADD CONSTRAINT chk_item_materials_promise CHECK (promise_allowed IN (0, 1));

ALTER TABLE items
  ADD COLUMN must_attend TINYINT(1) NOT NULL DEFAULT 0
      COMMENT 'the applicant must come in person: no online application',
  ADD CONSTRAINT chk_items_must_attend CHECK (must_attend IN (0, 1));

ALTER TABLE case_materials
  MODIFY COLUMN state ENUM('received','waived','requested','absent','promised') NOT NULL;

ALTER TABLE online_materials
  MODIFY COLUMN state ENUM('given','returned','absent','promised') NOT NULL;
