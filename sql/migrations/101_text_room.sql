-- 101_text_room.sql — room for every text the API accepts, at its documented length.
--
-- A mail address is up to 60 characters; in UTF-8 a character takes up to 4 bytes (𠮷, emoji),
-- so the address sealed (24-byte nonce + 16-byte tag + up to 240 bytes) needs 280 bytes.
-- VARBINARY(255) refused such an address (a 500 on ordinary input).  Widening a column keeps
-- every value it holds.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE cases
    MODIFY COLUMN address_enc VARBINARY(320) NULL
        COMMENT 'mail delivery address, sealed (up to 60 characters: 280 bytes sealed)';

-- A delivery receipt's status is DELIVERED or FAILED:<the provider's code or message, cut
-- to 60 characters> (Tencent's errmsg may be Chinese): 67 characters.  The columns were
-- shorter, so such a receipt was refused and the provider kept pushing it.
ALTER TABLE outbox
    MODIFY COLUMN delivery_status VARCHAR(80) NOT NULL DEFAULT '' COMMENT 'from the provider receipt';
ALTER TABLE sms_receipts
    MODIFY COLUMN status VARCHAR(80) NOT NULL COMMENT 'DELIVERED, or FAILED:<provider code>';
