-- 001_foundation.sql — halls, service catalog, working-day calendar, staff, audit log.
--
-- Applied once, in order, by the migration script through the mariadb client (MariaDB 10.11).
-- Every table is InnoDB, utf8mb4, utf8mb4_unicode_ci, so that foreign keys between text columns
-- always compare under the same collation.
--
-- Conventions kept by every later migration:
--   * booleans are TINYINT(1) restricted to 0/1 by a CHECK;
--   * codes that citizens see (hall, category, item, material, window) are stable, readable keys,
--     never AUTO_INCREMENT numbers;
--   * times are stored as the hall's local time (Asia/Shanghai); the app sets the session
--     time_zone to '+08:00' on connect so CURRENT_TIMESTAMP agrees with it;
--   * tables whose names start with "audit" are INSERT/SELECT only for the app user:
--     nothing may ever UPDATE or DELETE them, so they carry no ON UPDATE column and no FK
--     that could cascade into them.
--
-- Plain CREATE TABLE (no IF NOT EXISTS): if a table is already there, the database is not the
-- one this file expects and the migration must stop rather than go on silently.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

-- ---------------------------------------------------------------------------------------------
-- Halls and their opening hours
-- ---------------------------------------------------------------------------------------------

CREATE TABLE halls (
    code        VARCHAR(32)  NOT NULL COMMENT 'stable hall code used in URLs and Redis hash tags, e.g. demo',
    name        VARCHAR(100) NOT NULL,
    address     VARCHAR(200) NOT NULL,
    phone       VARCHAR(32)  NOT NULL DEFAULT '',
    timezone    VARCHAR(64)  NOT NULL DEFAULT 'Asia/Shanghai' COMMENT 'IANA zone the hall''s dates and hours are in',
    created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (code),
    CONSTRAINT chk_halls_code CHECK (code REGEXP BINARY '^[a-z0-9][a-z0-9_-]*$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='政务服务中心 (service halls)';

-- Opening periods of a hall on a working day, in order (seq 1 = morning, 2 = afternoon).
-- Whether a date is a working day comes from calendar_years/calendar_days below.
CREATE TABLE hall_hours (
    hall        VARCHAR(32)      NOT NULL,
    seq         TINYINT UNSIGNED NOT NULL,
    open_at     TIME             NOT NULL,
    close_at    TIME             NOT NULL,
    PRIMARY KEY (hall, seq),
    CONSTRAINT fk_hall_hours_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_hall_hours_seq   CHECK (seq >= 1),
    CONSTRAINT chk_hall_hours_order CHECK (open_at < close_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='opening periods on working days';

-- ---------------------------------------------------------------------------------------------
-- Queue categories and windows
-- ---------------------------------------------------------------------------------------------

-- A category is a queue: its one-letter code is the letter of the ticket number (A005).
CREATE TABLE categories (
    hall                 VARCHAR(32)       NOT NULL,
    code                 CHAR(1)           NOT NULL COMMENT 'A..Z, the ticket number prefix',
    name                 VARCHAR(50)       NOT NULL,
    description          VARCHAR(300)      NOT NULL DEFAULT '',
    sort                 TINYINT UNSIGNED  NOT NULL,
    cross_province       TINYINT(1)        NOT NULL DEFAULT 0 COMMENT '跨省通办',
    avg_service_minutes  SMALLINT UNSIGNED NOT NULL DEFAULT 10 COMMENT 'seed for the waiting-time estimate',
    PRIMARY KEY (hall, code),
    CONSTRAINT fk_categories_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_categories_code  CHECK (code REGEXP BINARY '^[A-Z]$'),
    CONSTRAINT chk_categories_cross CHECK (cross_province IN (0, 1)),
    CONSTRAINT chk_categories_avg   CHECK (avg_service_minutes >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='queue categories (业务类别)';

CREATE TABLE windows (
    hall        VARCHAR(32)       NOT NULL,
    number      SMALLINT UNSIGNED NOT NULL,
    name        VARCHAR(50)       NOT NULL,
    kind        ENUM('comprehensive','pickup','consult') NOT NULL DEFAULT 'comprehensive',
    PRIMARY KEY (hall, number),
    CONSTRAINT fk_windows_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_windows_number CHECK (number >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='service windows (窗口)';

-- Which categories a window calls from.
CREATE TABLE window_categories (
    hall        VARCHAR(32)       NOT NULL,
    window_no   SMALLINT UNSIGNED NOT NULL,
    category    CHAR(1)           NOT NULL,
    PRIMARY KEY (hall, window_no, category),
    KEY k_window_categories_category (hall, category),
    CONSTRAINT fk_window_categories_window FOREIGN KEY (hall, window_no)
        REFERENCES windows (hall, number) ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT fk_window_categories_category FOREIGN KEY (hall, category)
        REFERENCES categories (hall, code) ON UPDATE RESTRICT ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='categories each window serves';

-- ---------------------------------------------------------------------------------------------
-- Service catalog: departments, items (事项) and their materials (申请材料)
-- ---------------------------------------------------------------------------------------------

CREATE TABLE departments (
    code        VARCHAR(32)  NOT NULL,
    name        VARCHAR(100) NOT NULL,
    PRIMARY KEY (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='办理部门 (departments that decide the items)';

-- kind: 'instant' = 即办件 (decided on the spot, promised_days = 0);
--       'promised' = 承诺件 (decided within promised_days working days).
-- legal_days: 法定办结时限 in working days; 0 = the law requires an on-the-spot decision or
-- sets no limit. Never below promised_days.
CREATE TABLE items (
    id              VARCHAR(40)       NOT NULL COMMENT 'stable readable id, e.g. IT-B-001',
    hall            VARCHAR(32)       NOT NULL,
    name            VARCHAR(200)      NOT NULL,
    category        CHAR(1)           NOT NULL,
    department      VARCHAR(32)       NOT NULL,
    kind            ENUM('instant','promised') NOT NULL,
    promised_days   SMALLINT UNSIGNED NOT NULL COMMENT '承诺时限, working days; 0 for instant',
    legal_days      SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '法定时限, working days',
    cross_province  TINYINT(1)        NOT NULL DEFAULT 0 COMMENT '跨省通办',
    fee             VARCHAR(100)      NOT NULL DEFAULT '不收费',
    basis           VARCHAR(300)      NOT NULL DEFAULT '' COMMENT '设定依据',
    description     VARCHAR(500)      NOT NULL DEFAULT '',
    sort            SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    KEY k_items_hall_category_sort (hall, category, sort),
    KEY k_items_department (department),
    CONSTRAINT fk_items_category FOREIGN KEY (hall, category)
        REFERENCES categories (hall, code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_items_department FOREIGN KEY (department)
        REFERENCES departments (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_items_kind_days CHECK (
        (kind = 'instant'  AND promised_days = 0) OR
        (kind = 'promised' AND promised_days >= 1)),
    CONSTRAINT chk_items_legal CHECK (legal_days = 0 OR legal_days >= promised_days),
    CONSTRAINT chk_items_cross CHECK (cross_province IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='政务服务事项';

-- required = 1: the case cannot be accepted without it, unless waivable = 1 (容缺受理:
-- accepted now, the material is delivered later). waivable implies required.
CREATE TABLE item_materials (
    item        VARCHAR(40)      NOT NULL,
    code        VARCHAR(16)      NOT NULL COMMENT 'M1, M2, … stable within the item',
    name        VARCHAR(200)     NOT NULL,
    required    TINYINT(1)       NOT NULL,
    waivable    TINYINT(1)       NOT NULL DEFAULT 0 COMMENT '容缺',
    form        ENUM('original','copy','original_and_copy','electronic') NOT NULL DEFAULT 'original',
    copies      TINYINT UNSIGNED NOT NULL DEFAULT 1,
    note        VARCHAR(300)     NOT NULL DEFAULT '' COMMENT 'what the material must be',
    sort        TINYINT UNSIGNED NOT NULL,
    PRIMARY KEY (item, code),
    CONSTRAINT fk_item_materials_item FOREIGN KEY (item) REFERENCES items (id)
        ON UPDATE RESTRICT ON DELETE CASCADE,
    CONSTRAINT chk_item_materials_code     CHECK (code REGEXP BINARY '^M[1-9][0-9]*$'),
    CONSTRAINT chk_item_materials_required CHECK (required IN (0, 1)),
    CONSTRAINT chk_item_materials_waivable CHECK (waivable IN (0, 1) AND (waivable = 0 OR required = 1)),
    CONSTRAINT chk_item_materials_copies   CHECK (copies >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='申请材料 of each item';

-- ---------------------------------------------------------------------------------------------
-- Working-day calendar (loaded by the admin tool from the State Council holiday notice)
-- ---------------------------------------------------------------------------------------------

-- A year is usable only when its row exists: without it the app refuses to compute deadlines or
-- offer slots in that year rather than guess.
CREATE TABLE calendar_years (
    year        SMALLINT UNSIGNED NOT NULL,
    source      VARCHAR(300)      NOT NULL COMMENT 'where the holiday list came from',
    loaded_at   DATETIME          NOT NULL,
    PRIMARY KEY (year),
    CONSTRAINT chk_calendar_years_year CHECK (year BETWEEN 2000 AND 2100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='years whose holidays are loaded';

-- Only the days that differ from the plain week: off = 1 is a holiday on a weekday,
-- off = 0 is a make-up working day (调休上班) on a weekend.
CREATE TABLE calendar_days (
    day         DATE        NOT NULL,
    off         TINYINT(1)  NOT NULL,
    name        VARCHAR(32) NOT NULL COMMENT 'e.g. 春节, 国庆节补班',
    PRIMARY KEY (day),
    CONSTRAINT chk_calendar_days_off CHECK (off IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='holidays and make-up working days';

-- ---------------------------------------------------------------------------------------------
-- Staff (created by the admin tool; passwords hashed with argon2id by libsodium)
-- ---------------------------------------------------------------------------------------------

CREATE TABLE staff (
    id              BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT,
    hall            VARCHAR(32)      NOT NULL,
    username        VARCHAR(32)      NOT NULL,
    name            VARCHAR(50)      NOT NULL,
    role            ENUM('clerk','approver','manager','admin') NOT NULL,
    department      VARCHAR(32)      NULL,
    window_no       SMALLINT UNSIGNED NULL COMMENT 'usual window of a clerk; the window is chosen at sign-in',
    password_hash   VARCHAR(255)     NOT NULL COMMENT 'crypto_pwhash_str (argon2id) string',
    failed_logins   TINYINT UNSIGNED NOT NULL DEFAULT 0,
    locked_until    DATETIME         NULL,
    disabled        TINYINT(1)       NOT NULL DEFAULT 0,
    created_at      DATETIME         NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      DATETIME         NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uk_staff_hall_username (hall, username),
    KEY k_staff_department (department),
    KEY k_staff_window (hall, window_no),
    CONSTRAINT fk_staff_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_staff_department FOREIGN KEY (department) REFERENCES departments (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    -- Checked only when window_no is not NULL.
    CONSTRAINT fk_staff_window FOREIGN KEY (hall, window_no) REFERENCES windows (hall, number)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_staff_disabled CHECK (disabled IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='hall staff accounts';

-- ---------------------------------------------------------------------------------------------
-- Audit log — append-only (the app user has INSERT and SELECT on audit* tables, nothing else)
-- ---------------------------------------------------------------------------------------------

-- No foreign keys on purpose: an audit row must be writable whatever it names (an unknown hall
-- in a refused request, a deleted account), and must never block or be touched by changes
-- elsewhere. Never put a full ID number, phone, code or token in actor/target/detail.
CREATE TABLE audit_log (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    at           DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    hall         VARCHAR(32)     NULL,
    actor_kind   ENUM('citizen','staff','system','anonymous') NOT NULL,
    actor        VARCHAR(64)     NOT NULL DEFAULT '',
    action       VARCHAR(64)     NOT NULL,
    target       VARCHAR(128)    NOT NULL DEFAULT '',
    result       VARCHAR(32)     NOT NULL,
    remote_addr  VARCHAR(45)     NOT NULL DEFAULT '',
    detail       VARCHAR(500)    NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY k_audit_log_at (at),
    KEY k_audit_log_hall_at (hall, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='append-only audit trail';
