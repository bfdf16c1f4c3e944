-- 040_appointments.sql — appointments (预约): slot templates, bookings, their history, no-show bans.
--
-- MariaDB is the record of every booking a citizen was told about; Redis holds the places
-- left per slot and the per-citizen counters for the booking rush, and is rebuilt from these
-- rows when it comes back empty (modules/appointments_state.c).
--
-- Invariants, each backed by a unique key (generated columns are NULL when the invariant does
-- not apply, and NULLs never collide):
--   * a place (seat 1..capacity) of a slot is held by one live booking ... uk_appt_seat
--   * a citizen holds one live booking per hall and day .................. uk_appt_day_citizen
--   * an ID number holds one live booking per hall and day ............... uk_appt_day_idnum
--   * a 6-digit code names one booking per hall and day .................. uk_appt_code
--   * a token names one booking .......................................... uk_appt_token
-- "live" = booked or checked_in.  A cancelled booking gives its seat back (seat = NULL).
-- Times are hall-local (Asia/Shanghai) DATE/TIME/DATETIME written from the hall clock.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

-- The week's plan: on every working day of the calendar, category `category` of `hall` offers a
-- slot starting at start_time, lasting `minutes`, with `capacity` places.  Days that are not
-- working days (or whose year's holiday notice is not loaded) have no slots at all.
CREATE TABLE appointment_slot_templates (
    hall        VARCHAR(32)       NOT NULL,
    category    CHAR(1)           NOT NULL,
    start_time  TIME              NOT NULL,
    minutes     SMALLINT UNSIGNED NOT NULL DEFAULT 30,
    capacity    SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (hall, category, start_time),
    CONSTRAINT fk_appt_tmpl_category FOREIGN KEY (hall, category)
        REFERENCES categories (hall, code) ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_appt_tmpl_minutes  CHECK (minutes BETWEEN 5 AND 240),
    CONSTRAINT chk_appt_tmpl_capacity CHECK (capacity <= 1000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='appointment slots offered on each working day';

-- A manager's change of one day's slot (more staff, fewer staff): replaces the template's
-- capacity for that day only.  Never below the places already booked (checked by the app).
CREATE TABLE appointment_slot_overrides (
    hall        VARCHAR(32)       NOT NULL,
    category    CHAR(1)           NOT NULL,
    day         DATE              NOT NULL,
    start_time  TIME              NOT NULL,
    capacity    SMALLINT UNSIGNED NOT NULL,
    updated_by  VARCHAR(48)       NOT NULL DEFAULT '',
    updated_at  DATETIME          NOT NULL,
    PRIMARY KEY (hall, category, day, start_time),
    CONSTRAINT fk_appt_ovr_template FOREIGN KEY (hall, category, start_time)
        REFERENCES appointment_slot_templates (hall, category, start_time)
        ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_appt_ovr_capacity CHECK (capacity <= 1000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='per-day capacity of a slot, set by a manager';

CREATE TABLE appointments (
    id            BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT COMMENT 'internal, never shown',
    token_hash    CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'SHA-256 of the token (>= 128 random bits)',
    token_enc     VARBINARY(255)    NOT NULL COMMENT 'the token sealed, so "my appointments" can give it back',
    code          CHAR(6) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT '6-digit appointment code (SMS, kiosk)',
    hall          VARCHAR(32)       NOT NULL,
    category      CHAR(1)           NOT NULL,
    day           DATE              NOT NULL,
    start_time    TIME              NOT NULL,
    end_time      TIME              NOT NULL,
    seat          SMALLINT UNSIGNED NULL COMMENT '1..capacity while live; NULL once cancelled',
    citizen_id    BIGINT UNSIGNED   NOT NULL COMMENT 'the signed-in citizen who booked',
    name_enc      VARBINARY(255)    NOT NULL COMMENT 'real name of the visitor, sealed',
    idnum_enc     VARBINARY(255)    NOT NULL COMMENT 'resident ID number, sealed',
    idnum_hash    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'keyed hash of the ID number (limits, bans); VARCHAR: a generated column depends on it',
    item          VARCHAR(40)       NULL,
    status        ENUM('booked','checked_in','cancelled','no_show') NOT NULL DEFAULT 'booked',
    ticket_id     BIGINT UNSIGNED   NULL COMMENT 'the priority ticket issued at check-in',
    created_at    DATETIME(3)       NOT NULL,
    updated_at    DATETIME(3)       NOT NULL,
    checked_in_at DATETIME(3)       NULL,
    cancelled_at  DATETIME(3)       NULL,
    reminded_at   DATETIME(3)       NULL COMMENT 'reminder SMS queued (the day before)',
    live_citizen  BIGINT UNSIGNED AS (IF(status IN ('booked','checked_in'), citizen_id, NULL)) PERSISTENT,
    live_idnum    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin AS (IF(status IN ('booked','checked_in'), idnum_hash, NULL)) PERSISTENT,
    PRIMARY KEY (id),
    UNIQUE KEY uk_appt_token (token_hash),
    UNIQUE KEY uk_appt_code (hall, day, code),
    UNIQUE KEY uk_appt_seat (hall, day, category, start_time, seat),
    UNIQUE KEY uk_appt_day_citizen (hall, day, live_citizen),
    UNIQUE KEY uk_appt_day_idnum (hall, day, live_idnum),
    KEY k_appt_citizen (citizen_id, day),
    KEY k_appt_idnum (hall, idnum_hash, day),
    KEY k_appt_status (hall, day, status, start_time),
    CONSTRAINT fk_appt_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appt_category FOREIGN KEY (hall, category) REFERENCES categories (hall, code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appt_citizen FOREIGN KEY (citizen_id) REFERENCES citizens (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appt_item FOREIGN KEY (item) REFERENCES items (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appt_ticket FOREIGN KEY (ticket_id) REFERENCES queue_tickets (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_appt_code  CHECK (code REGEXP '^[0-9]{6}$'),
    CONSTRAINT chk_appt_time  CHECK (start_time < end_time),
    CONSTRAINT chk_appt_seat  CHECK ((status = 'cancelled') = (seat IS NULL)),
    CONSTRAINT chk_appt_seat1 CHECK (seat IS NULL OR seat >= 1),
    CONSTRAINT chk_appt_ticket CHECK ((status = 'checked_in') = (ticket_id IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='appointments (预约)';

-- One row per change of an appointment, in the same transaction as the change.
CREATE TABLE appointment_history (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    appointment_id  BIGINT UNSIGNED NOT NULL,
    at              DATETIME(3)     NOT NULL,
    action          VARCHAR(16)     NOT NULL COMMENT 'book, cancel, reschedule, check_in, no_show',
    from_status     VARCHAR(12)     NULL,
    to_status       VARCHAR(12)     NOT NULL,
    actor_kind      ENUM('citizen','staff','kiosk','system') NOT NULL,
    actor           VARCHAR(48)     NOT NULL DEFAULT '',
    detail          VARCHAR(200)    NOT NULL DEFAULT '' COMMENT 'e.g. the old and new slot; never personal data',
    PRIMARY KEY (id),
    KEY k_appt_history (appointment_id, at),
    CONSTRAINT fk_appt_history FOREIGN KEY (appointment_id) REFERENCES appointments (id)
        ON UPDATE RESTRICT ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='history of every appointment';

-- No-show bans: an ID number that missed appointment_noshow_limit (2) appointments of the hall
-- within appointment_noshow_window_days (90) may not book there until `until` (90 days later).
CREATE TABLE appointment_bans (
    hall        VARCHAR(32) NOT NULL,
    idnum_hash  CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    since       DATE        NOT NULL COMMENT 'the day of the no-show that caused it',
    until       DATE        NOT NULL COMMENT 'last day of the ban',
    PRIMARY KEY (hall, idnum_hash),
    CONSTRAINT fk_appt_ban_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_appt_ban CHECK (since <= until)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='booking bans after repeated no-shows';
