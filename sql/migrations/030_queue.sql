-- 030_queue.sql — the queue (取号 / 叫号): every ticket issued, and the history of each.
--
-- MariaDB is the record of every number a citizen was given; Redis only holds the waiting
-- lines, the counters and the board, and is rebuilt from these rows (modules/queue_state.c).
--
-- Invariants, each backed by a unique key:
--   * a number is issued once per hall, day and letter .......... uk_queue_number
--   * a citizen holds at most one active ticket per hall and day .. uk_queue_active_citizen
--   * a window has at most one called/serving ticket at a time ... uk_queue_active_window
-- Generated columns are NULL when the invariant does not apply (NULLs never collide).
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE queue_tickets (
    id              BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    token           VARCHAR(32)       NOT NULL COMMENT 'opaque, >= 128 random bits; the /q/<token> link',
    hall            VARCHAR(32)       NOT NULL,
    day             DATE              NOT NULL COMMENT 'hall-local day the number belongs to',
    num_cat         CHAR(1)           NOT NULL COMMENT 'letter of the number: the category it was taken in',
    seq             SMALLINT UNSIGNED NOT NULL COMMENT '1..999 within hall, day and letter',
    number          VARCHAR(8)        NOT NULL COMMENT 'as shown and called: A005',
    category        CHAR(1)           NOT NULL COMMENT 'the line it is in now (differs from num_cat after a transfer)',
    priority        ENUM('normal','elderly','disabled','appointment') NOT NULL DEFAULT 'normal',
    line            ENUM('p','n')     NOT NULL COMMENT 'p: priority class (appointment, 绿色通道), n: ordinary',
    rank_score      BIGINT UNSIGNED   NOT NULL COMMENT 'order within its line (hall-wide, grows with time); kept across a transfer',
    source          ENUM('kiosk','clerk','citizen','appointment') NOT NULL,
    status          ENUM('waiting','called','serving','done','skipped','cancelled') NOT NULL DEFAULT 'waiting',
    outcome         ENUM('done','no_show') NULL COMMENT 'set when status = done',
    citizen         VARCHAR(48)       NULL COMMENT 'session subject of a remote (citizen) ticket',
    phone_enc       VARBINARY(255)    NULL COMMENT 'sealed phone for the turn-near SMS (pii_seal)',
    near_notified   TINYINT(1)        NOT NULL DEFAULT 0 COMMENT 'turn-near SMS queued (once per ticket)',
    appointment     VARCHAR(64)       NULL COMMENT 'appointment reference of a check-in ticket',
    window_no       SMALLINT UNSIGNED NULL COMMENT 'window that called it (last one)',
    clerk           VARCHAR(48)       NULL COMMENT 'staff id of the clerk who called it',
    calls           SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'calls + recalls',
    rejoined        TINYINT(1)        NOT NULL DEFAULT 0 COMMENT 'a skipped ticket may rejoin once',
    transfers       TINYINT UNSIGNED  NOT NULL DEFAULT 0,
    case_no         VARCHAR(40)       NULL COMMENT 'case accepted for this visit (finish)',
    taken_at        DATETIME(3)       NOT NULL,
    called_at       DATETIME(3)       NULL COMMENT 'first call: waiting time = called_at - taken_at',
    last_called_at  DATETIME(3)       NULL COMMENT 'latest call or recall (the board)',
    started_at      DATETIME(3)       NULL,
    finished_at     DATETIME(3)       NULL,
    updated_at      DATETIME(3)       NOT NULL,
    active_citizen  VARCHAR(48) AS (IF(status IN ('waiting','called','serving'), citizen, NULL)) PERSISTENT,
    active_window   SMALLINT UNSIGNED AS (IF(status IN ('called','serving'), window_no, NULL)) PERSISTENT,
    PRIMARY KEY (id),
    UNIQUE KEY uk_queue_token (token),
    UNIQUE KEY uk_queue_number (hall, day, num_cat, seq),
    UNIQUE KEY uk_queue_active_citizen (hall, day, active_citizen),
    UNIQUE KEY uk_queue_active_window (hall, day, active_window),
    KEY k_queue_status (hall, day, status, category),
    KEY k_queue_window (hall, day, window_no, status),
    KEY k_queue_finished (hall, day, finished_at),
    CONSTRAINT fk_queue_hall FOREIGN KEY (hall) REFERENCES halls (code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_queue_category FOREIGN KEY (hall, category) REFERENCES categories (hall, code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_queue_num_cat FOREIGN KEY (hall, num_cat) REFERENCES categories (hall, code)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_queue_window FOREIGN KEY (hall, window_no) REFERENCES windows (hall, number)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_queue_seq      CHECK (seq BETWEEN 1 AND 999),
    CONSTRAINT chk_queue_outcome  CHECK ((status = 'done') = (outcome IS NOT NULL)),
    CONSTRAINT chk_queue_notified CHECK (near_notified IN (0, 1)),
    CONSTRAINT chk_queue_rejoined CHECK (rejoined IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='queue tickets (排队号)';

-- One row per state change of a ticket, written in the same transaction as the change.
CREATE TABLE queue_ticket_history (
    id          BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    ticket_id   BIGINT UNSIGNED   NOT NULL,
    at          DATETIME(3)       NOT NULL,
    action      VARCHAR(16)       NOT NULL COMMENT 'take, call, recall, start, skip, rejoin, transfer, finish, cancel',
    from_status VARCHAR(12)       NULL,
    to_status   VARCHAR(12)       NOT NULL,
    window_no   SMALLINT UNSIGNED NULL,
    actor_kind  ENUM('citizen','staff','kiosk','anonymous','system') NOT NULL,
    actor       VARCHAR(48)       NOT NULL DEFAULT '',
    detail      VARCHAR(200)      NOT NULL DEFAULT '' COMMENT 'e.g. B->D for a transfer; never personal data',
    PRIMARY KEY (id),
    KEY k_queue_history_ticket (ticket_id, at),
    CONSTRAINT fk_queue_history_ticket FOREIGN KEY (ticket_id) REFERENCES queue_tickets (id)
        ON UPDATE RESTRICT ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='history of every ticket';
