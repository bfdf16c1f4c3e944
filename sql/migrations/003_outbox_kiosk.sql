-- 003: the notification outbox, and kiosk devices as accounts.
SET NAMES utf8mb4;

-- Every message to a citizen or to staff is first a row here, written in the same
-- transaction as the business change that causes it (a booking, an accepted case …).
-- The worker delivers it; the row id is the provider-side dedup id (OutId / SessionContext).
CREATE TABLE outbox (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    hall            VARCHAR(32)  NULL,
    channel         ENUM('sms','wechat') NOT NULL DEFAULT 'sms',
    template        VARCHAR(64)  NOT NULL COMMENT 'file name in sms-templates/ without extension',
    recipient_enc   VARBINARY(255) NOT NULL COMMENT 'phone or openid, sealed with the data key',
    recipient_mask  VARCHAR(32)  NOT NULL COMMENT 'for staff screens: 138****8000',
    params          JSON         NOT NULL,
    ref_kind        VARCHAR(32)  NOT NULL DEFAULT '' COMMENT 'case, ticket, appointment, login …',
    ref_id          VARCHAR(64)  NOT NULL DEFAULT '',
    urgent          TINYINT(1)   NOT NULL DEFAULT 1 COMMENT '0: held during quiet hours',
    status          ENUM('pending','sending','sent','failed','held','dropped') NOT NULL DEFAULT 'pending',
    attempts        SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(3)  NOT NULL,
    provider        VARCHAR(16)  NOT NULL DEFAULT '',
    provider_msg_id VARCHAR(128) NOT NULL DEFAULT '',
    last_error      VARCHAR(255) NOT NULL DEFAULT '',
    delivery_status VARCHAR(32)  NOT NULL DEFAULT '' COMMENT 'from the provider receipt',
    delivered_at    DATETIME(3)  NULL,
    created_at      DATETIME(3)  NOT NULL,
    sent_at         DATETIME(3)  NULL,
    PRIMARY KEY (id),
    KEY k_due (status, next_attempt_at),
    KEY k_ref (ref_kind, ref_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Kiosks (取号机) sign in like staff, with an account bound to their hall.
ALTER TABLE staff MODIFY role ENUM('clerk','approver','manager','admin','kiosk') NOT NULL;
