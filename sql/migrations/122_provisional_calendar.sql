-- 122_provisional_calendar.sql — deadlines counted on the provisional calendar (issue 19/9).
-- A year whose State Council holiday notice is not loaded runs on the provisional calendar
-- (weekends and the statutory holidays on their known dates, modules/hall/workdays.h), so
-- the hall never stops for a notice not yet published.  A deadline that walked through such
-- a year is marked here, shown as provisional (暂定), and recomputed when the notice is
-- loaded (yichuang-admin calendar-load): never earlier than what the citizen was told.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE cases
    ADD COLUMN deadline_provisional TINYINT(1) NOT NULL DEFAULT 0
        COMMENT '1: the deadline ran through a year whose holiday notice was not loaded',
    ADD KEY k_cases_provisional (deadline_provisional, status);
