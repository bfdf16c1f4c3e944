-- 130_hall_dates.sql — opening hours of one date (issue 21, part B: the hall, administered).
--
-- hall_hours keeps the periods of every working day of the calendar (the week's hours).  A
-- date of hall_dates replaces them for that date only, whatever the calendar says of it:
--   closed = 1      the hall does not open that date (a working day closed: 停电, 系统升级);
--   closed = 0      it opens with the periods of hall_date_hours for that date (a Saturday
--                   opening before a deadline, 延时服务 evening hours, 错时 hours).
-- The queue, the slots and the hall directory read them through hall/hall_hours.c.
-- Additive: the tables are new; nothing existing changes.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE hall_dates (
    hall        VARCHAR(32)  NOT NULL,
    day         DATE         NOT NULL,
    closed      TINYINT(1)   NOT NULL DEFAULT 0,
    note        VARCHAR(100) NOT NULL DEFAULT '' COMMENT 'why, shown to staff (延时服务, 系统升级)',
    updated_by  VARCHAR(48)  NOT NULL DEFAULT '',
    updated_at  DATETIME     NOT NULL,
    PRIMARY KEY (hall, day),
    CONSTRAINT fk_hall_dates_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_hall_dates_closed CHECK (closed IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='opening of one date, replacing the week''s hours';

CREATE TABLE hall_date_hours (
    hall        VARCHAR(32)      NOT NULL,
    day         DATE             NOT NULL,
    seq         TINYINT UNSIGNED NOT NULL,
    open_at     TIME             NOT NULL,
    close_at    TIME             NOT NULL,
    PRIMARY KEY (hall, day, seq),
    CONSTRAINT fk_hall_date_hours_day FOREIGN KEY (hall, day) REFERENCES hall_dates (hall, day)
        ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_hall_date_hours_seq   CHECK (seq >= 1),
    CONSTRAINT chk_hall_date_hours_order CHECK (open_at < close_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='periods of a date that opens (hall_dates.closed = 0)';
