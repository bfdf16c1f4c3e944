-- 010: notifications — what the outbox worker and the receipts need beyond 003.
SET NAMES utf8mb4;

-- lease: the claim of the worker that is sending the row (status 'sending'); a failure or
--   retry is recorded only by the worker that still holds it, a success always.
-- segments: SMS parts billed (【签名】 included; ≤70 characters one, else ⌈n/67⌉).
-- resend_of / requested_by: a staff "resend" is a new row pointing at the original.
ALTER TABLE outbox
    ADD COLUMN lease         VARCHAR(32)  NOT NULL DEFAULT '' AFTER attempts,
    ADD COLUMN segments      SMALLINT UNSIGNED NOT NULL DEFAULT 0 AFTER provider_msg_id,
    ADD COLUMN resend_of     BIGINT UNSIGNED NULL AFTER ref_id,
    ADD COLUMN requested_by  VARCHAR(48)  NOT NULL DEFAULT '' AFTER resend_of,
    ADD KEY k_provider_msg (provider, provider_msg_id),
    ADD KEY k_hall_ref (hall, ref_kind, ref_id);

-- Delivery receipts as the providers pushed them (no phone numbers), one row per message
-- and status: a duplicate push hits the unique key and changes nothing.
CREATE TABLE sms_receipts (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    provider     VARCHAR(16)  NOT NULL,
    msg_key      VARCHAR(128) NOT NULL COMMENT 'BizId (aliyun) or SerialNo/sid (tencent), else OutId',
    status       VARCHAR(64)  NOT NULL COMMENT 'DELIVERED, or FAILED:<provider code>',
    outbox_id    BIGINT UNSIGNED NULL,
    reported_at  DATETIME(3)  NULL,
    received_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY u_receipt (provider, msg_key, status),
    KEY k_outbox (outbox_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
