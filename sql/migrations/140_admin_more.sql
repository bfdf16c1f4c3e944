-- 140_admin_more.sql — the rest of the administration console (issue 21): departments,
-- categories and windows retired rather than deleted, and slot plans per weekday with
-- per-date overrides.
--
-- Additive only: three nullable columns (NULL for every row there: nothing is retired) and
-- four new tables (empty: every day keeps following the category's plan,
-- appointment_slot_templates, as before).
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Retired: kept with everything that names it (tickets, bookings, cases, items, staff), but
-- takes nothing new — a retired category no new tickets or bookings, a retired window no
-- sign-in and no calls, a retired department no new items.  NULL: in service.
ALTER TABLE categories
    ADD COLUMN retired_at DATETIME NULL COMMENT 'hall time it was retired; NULL in service';
ALTER TABLE windows
    ADD COLUMN retired_at DATETIME NULL COMMENT 'hall time it was retired; NULL in service';
ALTER TABLE departments
    ADD COLUMN retired_at DATETIME NULL COMMENT 'hall time it was retired; NULL in service';

-- A category's plan for one weekday (1 Monday … 7 Sunday), replacing the category's plan
-- (appointment_slot_templates) on that weekday.  A row here with no slot rows: no slots
-- that weekday.  The weekday still has to be one the hall opens (hall_hours.h).
CREATE TABLE slot_plan_weekdays (
    hall        VARCHAR(32)       NOT NULL,
    category    CHAR(1)           NOT NULL,
    weekday     TINYINT UNSIGNED  NOT NULL COMMENT '1 Monday … 7 Sunday',
    updated_by  VARCHAR(48)       NOT NULL DEFAULT '',
    updated_at  DATETIME          NOT NULL,
    PRIMARY KEY (hall, category, weekday),
    CONSTRAINT fk_slot_plan_weekdays_category FOREIGN KEY (hall, category)
        REFERENCES categories (hall, code) ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_slot_plan_weekdays_weekday CHECK (weekday BETWEEN 1 AND 7)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='a category''s own slot plan on one weekday';

CREATE TABLE slot_plan_weekday_slots (
    hall        VARCHAR(32)       NOT NULL,
    category    CHAR(1)           NOT NULL,
    weekday     TINYINT UNSIGNED  NOT NULL,
    start_time  TIME              NOT NULL,
    minutes     SMALLINT UNSIGNED NOT NULL,
    capacity    SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (hall, category, weekday, start_time),
    CONSTRAINT fk_slot_plan_weekday_slots_plan FOREIGN KEY (hall, category, weekday)
        REFERENCES slot_plan_weekdays (hall, category, weekday)
        ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_slot_plan_weekday_slots_minutes  CHECK (minutes BETWEEN 5 AND 240),
    CONSTRAINT chk_slot_plan_weekday_slots_capacity CHECK (capacity <= 1000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the slots of a weekday plan';

-- A category's plan for one date, replacing its weekday's plan and the category's plan that
-- day (a Saturday opening's slots, fewer places on a training day).  No slot rows: none.
CREATE TABLE slot_plan_dates (
    hall        VARCHAR(32)       NOT NULL,
    category    CHAR(1)           NOT NULL,
    day         DATE              NOT NULL,
    updated_by  VARCHAR(48)       NOT NULL DEFAULT '',
    updated_at  DATETIME          NOT NULL,
    PRIMARY KEY (hall, category, day),
    CONSTRAINT fk_slot_plan_dates_category FOREIGN KEY (hall, category)
        REFERENCES categories (hall, code) ON UPDATE RESTRICT ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='a category''s own slot plan on one date';

CREATE TABLE slot_plan_date_slots (
    hall        VARCHAR(32)       NOT NULL,
    category    CHAR(1)           NOT NULL,
    day         DATE              NOT NULL,
    start_time  TIME              NOT NULL,
    minutes     SMALLINT UNSIGNED NOT NULL,
    capacity    SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (hall, category, day, start_time),
    CONSTRAINT fk_slot_plan_date_slots_plan FOREIGN KEY (hall, category, day)
        REFERENCES slot_plan_dates (hall, category, day) ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_slot_plan_date_slots_minutes  CHECK (minutes BETWEEN 5 AND 240),
    CONSTRAINT chk_slot_plan_date_slots_capacity CHECK (capacity <= 1000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the slots of a date plan';
